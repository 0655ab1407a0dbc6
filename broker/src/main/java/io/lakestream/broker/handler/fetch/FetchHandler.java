package io.lakestream.broker.handler.fetch;

import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InconsistentTopicIdException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.server.FetchContext;
import org.apache.kafka.server.FetchManager;

/**
 * Fetch, for consumers: reads each requested partition from its {@link PartitionLog} (recent
 * data from the log cache, older data from the object store) within the request's byte limits,
 * and long-polls: if fewer than {@code min.bytes} are ready, the request waits, without a
 * thread, until an append to one of its partitions or {@code max.wait.ms}.
 *
 * <p>Fetch sessions (KIP-227) are Kafka's own ({@link FetchSessions}): the context Kafka's
 * {@link FetchManager} makes of the request says which partitions to read (those of the
 * session, for an incremental fetch) and builds the response (for an incremental fetch, only
 * the partitions with records or a change). As in Kafka, partitions of unknown topics are
 * answered after the others and take no part in the long poll.
 *
 * <p>The records returned, and the partitions that failed, are counted in the topic's
 * {@link TopicMetrics} once per response, however many reads the long poll made.
 *
 * <p>{@link #handle} may run on a connection's event loop (a small fetch request, see
 * {@code RequestDispatcher}). A small incremental fetch may still name a large session: when
 * it has more than {@code maxPartitionsReadInline} partitions, the reads and the response are
 * left to {@code largeFetchExecutor}, and only the walk of the session runs on the caller.
 */
public final class FetchHandler implements RequestHandler {
    private final LeaderPartitions partitions;
    private final FetchManager sessions;
    private final ScheduledExecutorService timer;
    private final TopicMetrics metrics;
    private final Executor largeFetchExecutor;
    private final int maxPartitionsReadInline;

    /**
     * @param largeFetchExecutor reads and answers the fetches of more than
     *     {@code maxPartitionsReadInline} partitions (the request threads)
     */
    public FetchHandler(LeaderPartitions partitions, FetchManager sessions, ScheduledExecutorService timer,
                        TopicMetrics metrics, Executor largeFetchExecutor, int maxPartitionsReadInline) {
        this.partitions = partitions;
        this.sessions = sessions;
        this.timer = timer;
        this.metrics = metrics;
        this.largeFetchExecutor = largeFetchExecutor;
        this.maxPartitionsReadInline = maxPartitionsReadInline;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        FetchRequest fetch = request.body(FetchRequest.class);
        Map<Uuid, String> topicNames = fetch.version() >= 13 ? partitions.topicNames() : Map.of();
        // Never a follower's session: there are no followers, and Kafka lets only a broker open one.
        FetchContext context = sessions.newContext(fetch.version(), fetch.metadata(), false,
            fetch.fetchData(topicNames), fetch.forgottenTopics(topicNames), topicNames);
        List<Target> targets = new ArrayList<>();
        List<Target> unknown = new ArrayList<>();
        // Under the session's lock: target() takes no other lock.
        context.foreachPartition((partition, data) -> {
            Target target = target(partition, data);
            (isUnknown(target.error()) ? unknown : targets).add(target);
        });
        // Kafka finds unknown topic ids in one pass and unknown partitions in a later one.
        unknown.sort(Comparator.comparing(target -> target.error() != Errors.UNKNOWN_TOPIC_ID));
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(response(context, targets, List.of(), unknown));
        }
        long deadlineNanos = System.nanoTime() + Math.max(0, fetch.maxWait()) * 1_000_000L;
        Supplier<CompletableFuture<AbstractResponse>> answer = () -> new LongPoll(targets, fetch, deadlineNanos, timer)
            .run().thenApply(readings -> response(context, targets, readings, unknown));
        return targets.size() <= maxPartitionsReadInline ? answer.get()
            : CompletableFuture.supplyAsync(answer, largeFetchExecutor).thenCompose(Function.identity());
    }

    /** One partition to read and, if it can be read here, its log. */
    record Target(TopicIdPartition partition, FetchRequest.PartitionData request, PartitionLog log, Errors error) {}

    private Target target(TopicIdPartition partition, FetchRequest.PartitionData data) {
        if (partition.topic() == null) {
            return new Target(partition, data, null, Errors.UNKNOWN_TOPIC_ID);
        }
        try {
            PartitionLog log = partitions.leaderLog(partition.topicPartition());
            if (!partition.topicId().equals(Uuid.ZERO_UUID)
                && !partition.topicId().equals(partitions.topicId(partition.topic()))) {
                // A session's partition whose topic was deleted and created again under its name.
                throw new InconsistentTopicIdException(
                    "Topic ID in the fetch session did not match the topic ID in the log.");
            }
            int leaderEpoch = data.currentLeaderEpoch.orElse(RecordBatch.NO_PARTITION_LEADER_EPOCH);
            Errors epochError = log.checkLeaderEpoch(leaderEpoch);
            return new Target(partition, data, epochError == Errors.NONE ? log : null, epochError);
        } catch (RuntimeException e) {
            return new Target(partition, data, null, Errors.forException(e));
        }
    }

    /** Errors Kafka's request handler answers itself, before its replica manager reads anything. */
    private static boolean isUnknown(Errors error) {
        return error == Errors.UNKNOWN_TOPIC_ID || error == Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    private AbstractResponse response(FetchContext context, List<Target> targets, List<LongPoll.Reading> readings,
                                      List<Target> unknown) {
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> answers = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            LongPoll.Reading reading = readings.get(i);
            count(target, reading);
            answers.put(target.partition(), reading.toPartitionData(target.partition().partition()));
        }
        for (Target target : unknown) {
            answers.put(target.partition(), errorData(target.partition().partition(), target.error()));
        }
        return context.updateAndGenerateResponseData(answers, List.of());
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
