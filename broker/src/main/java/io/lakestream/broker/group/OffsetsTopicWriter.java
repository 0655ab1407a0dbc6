package io.lakestream.broker.group;

import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.coordinator.common.runtime.PartitionWriter;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.VerificationGuard;

/**
 * Kafka's coordinator runtime writes its records through this, to the partitions of
 * {@code __consumer_offsets} this broker leads, as Kafka's {@code CoordinatorPartitionWriter}
 * writes them through the replica manager. An append is numbered at once (the runtime checks
 * the offsets against its own count) and acknowledged to the runtime when the write-ahead log
 * has made it durable, by reporting the partition's new high watermark: only then does the
 * runtime answer the request that wrote it, so a committed offset is never lost.
 *
 * <p>Thread-safe: the runtime's threads append and register listeners; high watermarks are
 * reported from the write-ahead log's completion threads, in increasing order per partition.
 */
public final class OffsetsTopicWriter implements PartitionWriter {
    private final LeaderPartitions partitions;
    private final Map<TopicPartition, Watermark> watermarks = new ConcurrentHashMap<>();

    public OffsetsTopicWriter(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public void registerListener(TopicPartition tp, Listener listener) {
        watermarks.computeIfAbsent(tp, Watermark::new).listeners.add(listener);
    }

    @Override
    public void deregisterListener(TopicPartition tp, Listener listener) {
        Watermark watermark = watermarks.get(tp);
        if (watermark != null) {
            watermark.listeners.remove(listener);
        }
    }

    /** @throws org.apache.kafka.common.errors.NotLeaderOrFollowerException if the partition is not open here */
    @Override
    public LogConfig config(TopicPartition tp) {
        return partitions.leaderLog(tp).config();
    }

    /** Returns the log end offset after the append, as Kafka's writer does; throws what the append refused with. */
    @Override
    public long append(TopicPartition tp, VerificationGuard verificationGuard, MemoryRecords records,
                       short transactionVersion) {
        PartitionLog log = partitions.leaderLog(tp);
        PartitionLog.PendingAppend pending = log.append(records, AppendOrigin.COORDINATOR);
        pending.durable().thenRun(() -> watermarks.computeIfAbsent(tp, Watermark::new).report(log));
        return pending.result().lastOffset() + 1;
    }

    /**
     * Transactional offset commits are not served yet (there is no transaction coordinator), so
     * there is nothing to verify.
     */
    @Override
    public CompletableFuture<VerificationGuard> maybeStartTransactionVerification(TopicPartition tp,
                                                                                 String transactionalId,
                                                                                 long producerId, short producerEpoch,
                                                                                 int apiVersion) {
        return CompletableFuture.completedFuture(VerificationGuard.SENTINEL);
    }

    @Override
    public CompletableFuture<Void> deleteRecords(TopicPartition tp, long deleteBeforeOffset) {
        return partitions.leaderLog(tp).trim(deleteBeforeOffset).thenApply(trimmed -> null);
    }

    /** One partition's listeners and the last high watermark they were told, so that it only grows. */
    private static final class Watermark {
        private final TopicPartition tp;
        private final List<Listener> listeners = new CopyOnWriteArrayList<>();
        private long reported = -1;

        Watermark(TopicPartition tp) {
            this.tp = tp;
        }

        /**
         * Reads the high watermark under this lock, so that concurrent completions report it in
         * increasing order: the runtime refuses a committed offset that goes backwards.
         */
        synchronized void report(PartitionLog log) {
            long highWatermark = log.highWatermark();
            if (highWatermark > reported) {
                reported = highWatermark;
                listeners.forEach(listener -> listener.onHighWatermarkUpdated(tp, highWatermark));
            }
        }
    }
}
