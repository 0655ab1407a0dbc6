package io.lakestream.broker.group;

import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.common.runtime.CoordinatorLoader;
import org.apache.kafka.coordinator.common.runtime.CoordinatorPlayback;
import org.apache.kafka.coordinator.common.runtime.CoordinatorRecord;
import org.apache.kafka.coordinator.common.runtime.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a group coordinator shard from its partition of {@code __consumer_offsets} when this
 * broker starts leading it: every record from the log start to the high watermark is replayed
 * into the shard, as Kafka's {@code CoordinatorLoaderImpl} replays a local log. Ours reads the
 * partition's stream instead, whose older data may be in the object store.
 *
 * <p>Replays run on this loader's own thread, one partition at a time; reads complete on the
 * stream's threads and hand their batches back to it. {@link #close} stops loads in progress.
 */
public final class OffsetsTopicLoader implements CoordinatorLoader<CoordinatorRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsTopicLoader.class);
    /** As Kafka's loader: how far replay may run before the shard may drop its older snapshots. */
    private static final long COMMIT_INTERVAL_OFFSETS = 16_384;

    private final LeaderPartitions partitions;
    private final Deserializer<CoordinatorRecord> deserializer;
    private final int readBytes;
    private final Time time;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
        new DefaultThreadFactory("group-coordinator-loader", true));
    private volatile boolean closed;

    /** @param readBytes how much one read fetches: Kafka's {@code offsets.load.buffer.size} */
    public OffsetsTopicLoader(LeaderPartitions partitions, Deserializer<CoordinatorRecord> deserializer,
                              int readBytes, Time time) {
        this.partitions = partitions;
        this.deserializer = deserializer;
        this.readBytes = readBytes;
        this.time = time;
    }

    @Override
    public CompletableFuture<LoadSummary> load(TopicPartition tp, CoordinatorPlayback<CoordinatorRecord> playback) {
        long queuedMs = time.milliseconds();
        PartitionLog log;
        try {
            log = partitions.leaderLog(tp);
        } catch (ApiException e) {
            return CompletableFuture.failedFuture(new NotLeaderOrFollowerException("Cannot load " + tp + ": "
                + e.getMessage()));
        }
        return CompletableFuture.supplyAsync(() -> new Replay(tp, log, playback, queuedMs), thread)
            .thenCompose(replay -> replay.from(log.logStartOffset()));
    }

    /** One load: replays batches up to the high watermark seen when it started. */
    private final class Replay {
        private final TopicPartition tp;
        private final PartitionLog log;
        private final CoordinatorPlayback<CoordinatorRecord> playback;
        private final long queuedMs;
        private final long startMs;
        private final long endOffset;
        private long records;
        private long bytes;
        private long lastWritten;
        private long lastCommitted = -1;

        Replay(TopicPartition tp, PartitionLog log, CoordinatorPlayback<CoordinatorRecord> playback, long queuedMs) {
            this.tp = tp;
            this.log = log;
            this.playback = playback;
            this.queuedMs = queuedMs;
            this.startMs = time.milliseconds();
            this.endOffset = log.highWatermark();
        }

        CompletableFuture<LoadSummary> from(long offset) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("The coordinator loader is closed"));
            }
            if (offset >= endOffset) {
                return CompletableFuture.completedFuture(finish());
            }
            return log.read(offset, readBytes, true).thenComposeAsync(read -> {
                long next = replay(read.records(), offset);
                if (next <= offset) {
                    throw new IllegalStateException("Reading " + tp + " at offset " + offset + " below its high "
                        + "watermark " + endOffset + " returned no batch");
                }
                return from(next);
            }, thread);
        }

        /** Replays the batches of one read; returns the offset after the last. */
        private long replay(MemoryRecords batches, long offset) {
            long next = offset;
            for (MutableRecordBatch batch : batches.batches()) {
                if (batch.isControlBatch()) {
                    for (Record record : batch) {
                        records++;
                        ControlRecordType type = ControlRecordType.parse(record.key());
                        if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                            playback.replayEndTransactionMarker(batch.producerId(), batch.producerEpoch(),
                                type == ControlRecordType.COMMIT ? TransactionResult.COMMIT : TransactionResult.ABORT);
                        }
                    }
                } else {
                    for (Record record : batch) {
                        records++;
                        replayRecord(batch, record);
                    }
                }
                next = batch.nextOffset();
                if (next >= endOffset) {
                    advance(next, endOffset);
                } else if (next - lastCommitted >= COMMIT_INTERVAL_OFFSETS) {
                    advance(next, next);
                }
            }
            bytes += batches.sizeInBytes();
            return next;
        }

        private void replayRecord(MutableRecordBatch batch, Record record) {
            CoordinatorRecord coordinatorRecord;
            try {
                coordinatorRecord = deserializer.deserialize(record.key(), record.value());
            } catch (Deserializer.UnknownRecordTypeException e) {
                LOG.warn("Skipping a record of unknown type {} at offset {} of {}", e.unknownType(), record.offset(), tp);
                return;
            }
            if (coordinatorRecord != null) {
                playback.replay(record.offset(), batch.producerId(), batch.producerEpoch(), coordinatorRecord);
            }
        }

        /** Tells the shard how far it has read and how much of that is durable (all of it, below the high watermark). */
        private void advance(long written, long committed) {
            if (written > lastWritten) {
                playback.updateLastWrittenOffset(written);
                lastWritten = written;
            }
            if (committed > lastCommitted) {
                playback.updateLastCommittedOffset(committed);
                lastCommitted = committed;
            }
        }

        private LoadSummary finish() {
            // A log trimmed to its end holds no batch, yet the next append gets the end offset.
            advance(endOffset, endOffset);
            if (partitions.openLogs().stream().noneMatch(open -> open == log)) {
                throw new NotLeaderOrFollowerException("Stopped loading " + tp + ": this broker no longer leads it");
            }
            return new LoadSummary(queuedMs, time.milliseconds(), startMs - queuedMs, records, bytes);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
    }
}
