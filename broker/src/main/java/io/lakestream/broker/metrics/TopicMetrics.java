package io.lakestream.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.kafka.common.protocol.Errors;

/**
 * The per-topic meters of a broker, tagged {@code topic}: the traffic Kafka's BrokerTopicMetrics
 * counts, and what retention removed.
 * <ul>
 *   <li>{@code lakestream.broker.topic.bytes.in}, {@code .messages.in}: record batches appended
 *       by produce requests, counted once durable (bytes as the client sent them);</li>
 *   <li>{@code lakestream.broker.topic.bytes.out}: record bytes returned by fetch responses;</li>
 *   <li>{@code lakestream.broker.topic.failed.produce.requests}, {@code .failed.fetch.requests}:
 *       partitions whose produce or fetch failed unexpectedly. As in Kafka, errors that are part
 *       of normal client operation (unknown topic, not the leader, stale epoch, offset out of
 *       range, record too large, corrupt record) are not counted;</li>
 *   <li>{@code lakestream.broker.retention.trimmed.records}, {@code .trimmed.bytes}: what
 *       retention removed.</li>
 * </ul>
 * A topic's meters are registered the first time it is counted and cached, so counting costs
 * a map lookup and no allocation; meters of a topic that no longer exists are removed by
 * {@link #retainTopics}. Meters are only created for topics a partition of which was found here,
 * so clients cannot grow the registry with made-up names.
 *
 * <p>Thread-safe.
 */
public final class TopicMetrics {
    public static final String BYTES_IN = "lakestream.broker.topic.bytes.in";
    public static final String BYTES_OUT = "lakestream.broker.topic.bytes.out";
    public static final String MESSAGES_IN = "lakestream.broker.topic.messages.in";
    public static final String FAILED_PRODUCE = "lakestream.broker.topic.failed.produce.requests";
    public static final String FAILED_FETCH = "lakestream.broker.topic.failed.fetch.requests";
    public static final String RETENTION_TRIMMED_RECORDS = "lakestream.broker.retention.trimmed.records";
    public static final String RETENTION_TRIMMED_BYTES = "lakestream.broker.retention.trimmed.bytes";

    /** Kafka's ReplicaManager does not count these as failed produce requests. */
    private static final Set<Errors> EXPECTED_PRODUCE_ERRORS = EnumSet.of(Errors.NONE,
        Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_ID, Errors.NOT_LEADER_OR_FOLLOWER,
        Errors.MESSAGE_TOO_LARGE, Errors.RECORD_LIST_TOO_LARGE, Errors.CORRUPT_MESSAGE, Errors.KAFKA_STORAGE_ERROR,
        Errors.DUPLICATE_SEQUENCE_NUMBER);
    /** Kafka's ReplicaManager does not count these as failed fetch requests. */
    private static final Set<Errors> EXPECTED_FETCH_ERRORS = EnumSet.of(Errors.NONE,
        Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.UNKNOWN_TOPIC_ID, Errors.NOT_LEADER_OR_FOLLOWER,
        Errors.UNKNOWN_LEADER_EPOCH, Errors.FENCED_LEADER_EPOCH, Errors.REPLICA_NOT_AVAILABLE,
        Errors.KAFKA_STORAGE_ERROR, Errors.OFFSET_OUT_OF_RANGE, Errors.INCONSISTENT_TOPIC_ID);

    private final MeterRegistry registry;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();

    public TopicMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The meters of {@code topic}, registered on first use. */
    public Topic topic(String topic) {
        Topic meters = topics.get(topic);
        return meters != null ? meters : topics.computeIfAbsent(topic, name -> new Topic(registry, name));
    }

    /** Removes the meters of every topic for which {@code exists} is false (a deleted topic). */
    public void retainTopics(Predicate<String> exists) {
        topics.entrySet().removeIf(entry -> {
            if (exists.test(entry.getKey())) {
                return false;
            }
            entry.getValue().meters().forEach(registry::remove);
            return true;
        });
    }

    /** One topic's meters. */
    public static final class Topic {
        private final Counter bytesIn;
        private final Counter bytesOut;
        private final Counter messagesIn;
        private final Counter failedProduce;
        private final Counter failedFetch;
        private final Counter trimmedRecords;
        private final Counter trimmedBytes;

        private Topic(MeterRegistry registry, String topic) {
            this.bytesIn = counter(registry, BYTES_IN, topic, "Record batch bytes appended by produce requests");
            this.bytesOut = counter(registry, BYTES_OUT, topic, "Record batch bytes returned by fetch responses");
            this.messagesIn = counter(registry, MESSAGES_IN, topic, "Records appended by produce requests");
            this.failedProduce = counter(registry, FAILED_PRODUCE, topic,
                "Partitions of produce requests that failed unexpectedly");
            this.failedFetch = counter(registry, FAILED_FETCH, topic,
                "Partitions of fetch requests that failed unexpectedly");
            this.trimmedRecords = counter(registry, RETENTION_TRIMMED_RECORDS, topic,
                "Offsets removed by retention.ms and retention.bytes");
            this.trimmedBytes = counter(registry, RETENTION_TRIMMED_BYTES, topic,
                "Record batch bytes removed by retention.ms and retention.bytes");
        }

        private static Counter counter(MeterRegistry registry, String name, String topic, String description) {
            return Counter.builder(name).description(description).tag("topic", topic).register(registry);
        }

        private List<Meter> meters() {
            return List.of(bytesIn, bytesOut, messagesIn, failedProduce, failedFetch, trimmedRecords, trimmedBytes);
        }

        /** A produce of {@code bytes} holding {@code records} records was appended. */
        public void onAppended(int bytes, long records) {
            bytesIn.increment(bytes);
            messagesIn.increment(records);
        }

        /** A produce to a partition of this topic was answered with {@code error}. */
        public void onProduceError(Errors error) {
            if (!EXPECTED_PRODUCE_ERRORS.contains(error)) {
                failedProduce.increment();
            }
        }

        /** A fetch response returned {@code bytes} of this topic's records. */
        public void onFetched(int bytes) {
            bytesOut.increment(bytes);
        }

        /** A fetch from a partition of this topic was answered with {@code error}. */
        public void onFetchError(Errors error) {
            if (!EXPECTED_FETCH_ERRORS.contains(error)) {
                failedFetch.increment();
            }
        }

        /** Retention removed {@code records} offsets holding {@code bytes} of batches. */
        public void onRetentionTrim(long records, long bytes) {
            trimmedRecords.increment(records);
            trimmedBytes.increment(bytes);
        }
    }
}
