package io.lakestream.broker.handler.fetch;

import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Fetch, for consumers: reads each requested partition from its {@link PartitionLog} (recent
 * data from the log cache, older data from the object store) within the request's byte limits,
 * and long-polls: if fewer than {@code min.bytes} are ready, the request waits, without a
 * thread, until an append to one of its partitions or {@code max.wait.ms}.
 *
 * <p>The records returned, and the partitions that failed, are counted in the topic's
 * {@link TopicMetrics} once per response, however many reads the long poll made.
 *
 * <p>Fetch sessions (KIP-227) are not kept: every response says session 0, which tells clients
 * to send full fetch requests, as they do with any broker whose session cache is full.
 */
public final class FetchHandler implements RequestHandler {
    private final LeaderPartitions partitions;
    private final ScheduledExecutorService timer;
    private final TopicMetrics metrics;

    public FetchHandler(LeaderPartitions partitions, ScheduledExecutorService timer, TopicMetrics metrics) {
        this.partitions = partitions;
        this.timer = timer;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        FetchRequest fetch = request.body(FetchRequest.class);
        FetchMetadata session = fetch.metadata();
        if (session.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
            return CompletableFuture.completedFuture(fetch.getErrorResponse(0,
                Errors.FETCH_SESSION_ID_NOT_FOUND.exception()));
        }
        List<Target> targets = targets(fetch.data());
        long deadlineNanos = System.nanoTime() + Math.max(0, fetch.maxWait()) * 1_000_000L;
        return new LongPoll(targets, fetch, deadlineNanos, timer).run()
            .thenApply(readings -> response(targets, readings));
    }

    /** One requested partition and, if it can be read, its log. */
    record Target(FetchRequestData.FetchTopic topic, FetchRequestData.FetchPartition request, PartitionLog log,
                  Errors error) {}

    private List<Target> targets(FetchRequestData data) {
        List<Target> targets = new ArrayList<>();
        for (FetchRequestData.FetchTopic topic : data.topics()) {
            Optional<String> name = topic.topicId().equals(Uuid.ZERO_UUID)
                ? Optional.ofNullable(topic.topic())
                : partitions.topicName(topic.topicId());
            for (FetchRequestData.FetchPartition partition : topic.partitions()) {
                if (name.isEmpty()) {
                    targets.add(new Target(topic, partition, null, Errors.UNKNOWN_TOPIC_ID));
                    continue;
                }
                try {
                    PartitionLog log = partitions.leaderLog(new TopicPartition(name.get(), partition.partition()));
                    Errors epochError = log.checkLeaderEpoch(partition.currentLeaderEpoch());
                    targets.add(new Target(topic, partition, epochError == Errors.NONE ? log : null, epochError));
                } catch (RuntimeException e) {
                    targets.add(new Target(topic, partition, null, Errors.forException(e)));
                }
            }
        }
        return targets;
    }

    private AbstractResponse response(List<Target> targets, List<LongPoll.Reading> readings) {
        FetchResponseData data = new FetchResponseData()
            .setErrorCode(Errors.NONE.code())
            .setSessionId(FetchMetadata.INVALID_SESSION_ID);
        FetchResponseData.FetchableTopicResponse current = null;
        FetchRequestData.FetchTopic currentTopic = null;
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            if (target.topic() != currentTopic) {
                currentTopic = target.topic();
                current = new FetchResponseData.FetchableTopicResponse()
                    .setTopic(target.topic().topic())
                    .setTopicId(target.topic().topicId());
                data.responses().add(current);
            }
            LongPoll.Reading reading = readings.get(i);
            count(target, reading);
            current.partitions().add(reading.toPartitionData(target.request().partition()));
        }
        return FetchResponse.of(data);
    }

    /** Counts what the response returns; a partition that was not found here is not counted. */
    private void count(Target target, LongPoll.Reading reading) {
        if (target.log() == null) {
            return;
        }
        TopicMetrics.Topic meters = metrics.topic(target.log().topicPartition().topic());
        if (reading.error() == Errors.NONE) {
            meters.onFetched(reading.data().sizeInBytes());
        } else {
            meters.onFetchError(reading.error());
        }
    }

    /**
     * A failed partition as Kafka answers it. Its aborted transactions are an empty list for a
     * topic or partition that does not exist (Kafka's request handler answers those) and null
     * for every other error (its replica manager's).
     */
    static FetchResponseData.PartitionData errorData(int partition, Errors error) {
        boolean unknown = error == Errors.UNKNOWN_TOPIC_ID || error == Errors.UNKNOWN_TOPIC_OR_PARTITION;
        return new FetchResponseData.PartitionData()
            .setPartitionIndex(partition)
            .setErrorCode(error.code())
            .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
            .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
            .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
            .setAbortedTransactions(unknown ? new ArrayList<>() : null)
            .setRecords(MemoryRecords.EMPTY);
    }
}
