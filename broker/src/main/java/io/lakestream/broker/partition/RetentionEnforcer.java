package io.lakestream.broker.partition;

import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.PartitionLog.TrimResult;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's delete retention for the partitions this broker leads: every
 * {@code log.retention.check.interval.ms} each open partition whose {@code cleanup.policy}
 * includes {@code delete} has its log start offset moved past
 * <ul>
 *   <li>the batches whose every record is older than now minus {@code retention.ms}
 *       (-1: forever), as Kafka deletes the segments whose largest timestamp is older; and</li>
 *   <li>the oldest batches, while what stays is at least {@code retention.bytes} (-1: no
 *       limit), as Kafka deletes the oldest segments while the rest still exceeds it.</li>
 * </ul>
 * A {@code compact}-only topic is left alone. The trim never passes the high watermark.
 *
 * <p>Granularity: Kafka's unit is a segment; here it is a run of batches between two entries
 * of the partition's {@link TimeIndex}, about {@code index.interval.bytes} (4 KiB by default),
 * because only there are the largest earlier timestamp and the byte position known without
 * reading data. When every record of the partition has expired, the log start moves to the
 * high watermark, as Kafka rolls and deletes an expired active segment. Each pass trims a
 * partition at most once, so the controller sees at most one trim command per partition per
 * interval however fine the granularity, and none for a partition with nothing to remove. A
 * record without a timestamp (-1; no Kafka 0.10+ client sends one) counts as older than any limit.
 *
 * <p>Threads: passes run on this enforcer's own scheduler thread, one at a time (the next is
 * scheduled when a pass completes); deciding a partition's trim only reads its in-memory index.
 * The trims themselves complete on the stream's and controller client's threads, where this
 * class only counts and logs. Nothing here runs on, or blocks, a Netty event loop.
 * {@link #enforce} can also be called from a test, to step one pass without a scheduler.
 */
public final class RetentionEnforcer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionEnforcer.class);

    private final Supplier<Collection<PartitionLog>> logs;
    private final TopicMetrics metrics;
    private final Time time;
    private ScheduledExecutorService scheduler;

    public RetentionEnforcer(Supplier<Collection<PartitionLog>> logs, TopicMetrics metrics, Time time) {
        this.logs = logs;
        this.metrics = metrics;
        this.time = time;
    }

    /** Runs a pass every {@code intervalMs}, the first one {@code intervalMs} from now. */
    public synchronized void start(long intervalMs) {
        if (scheduler != null) {
            throw new IllegalStateException("Retention is already running");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("lakestream-retention", true));
        scheduleNext(scheduler, intervalMs);
    }

    private void scheduleNext(ScheduledExecutorService executor, long intervalMs) {
        executor.schedule(() -> {
            CompletableFuture<Integer> pass;
            try {
                pass = enforce();
            } catch (RuntimeException e) {
                pass = CompletableFuture.failedFuture(e);
            }
            pass.whenComplete((trimmed, error) -> {
                if (error != null) {
                    LOG.warn("Retention pass failed; trying again in {} ms", intervalMs, Failures.cause(error));
                }
                try {
                    scheduleNext(executor, intervalMs);
                } catch (RejectedExecutionException closed) {
                    // Closed while the pass ran.
                }
            });
        }, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** One pass over the open partitions; completes, with how many were trimmed, when their trims have. */
    public CompletableFuture<Integer> enforce() {
        long nowMs = time.milliseconds();
        List<CompletableFuture<Boolean>> trims = new ArrayList<>();
        for (PartitionLog log : logs.get()) {
            trims.add(enforce(log, nowMs));
        }
        return CompletableFuture.allOf(trims.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> (int) trims.stream().filter(CompletableFuture::join).count());
    }

    private CompletableFuture<Boolean> enforce(PartitionLog log, long nowMs) {
        LogConfig config = log.config();
        if (!config.delete) {
            return CompletableFuture.completedFuture(false);
        }
        long startOffset = log.logStartOffset();
        long highWatermark = log.highWatermark();
        TimeIndex index = log.index();
        long target = startOffset;
        String reason = null;
        if (config.retentionMs >= 0) {
            long cutoffMs = nowMs - config.retentionMs;
            long expired = expiredBefore(index, cutoffMs, highWatermark);
            if (expired > target) {
                target = expired;
                reason = "retention.ms=" + config.retentionMs + ": its records are older than "
                    + Instant.ofEpochMilli(cutoffMs);
            }
        }
        if (config.retentionSize >= 0 && index.sizeInBytes() > config.retentionSize) {
            // Drop whole runs of batches while at least retention.bytes stay.
            long oversized = index.lastEntryAtOrBefore(index.endPosition() - config.retentionSize, highWatermark)
                .map(TimeIndex.Entry::offset).orElse(-1L);
            if (oversized > target) {
                target = oversized;
                reason = "retention.bytes=" + config.retentionSize + ": the partition held "
                    + index.sizeInBytes() + " bytes";
            }
        }
        if (target <= startOffset) {
            return CompletableFuture.completedFuture(false);
        }
        long trimTo = target;
        String why = reason;
        return log.trim(trimTo).handle((result, error) -> {
            if (error != null) {
                LOG.warn("Retention could not trim {} to offset {}: {}", log.topicPartition(), trimTo,
                    Failures.cause(error).toString());
                return false;
            }
            return record(log, result, why);
        });
    }

    /**
     * The offset before which every record is older than {@code cutoffMs}, at most the high
     * watermark; -1 if there is none past the first index entry.
     */
    private static long expiredBefore(TimeIndex index, long cutoffMs, long highWatermark) {
        long maxTimestamp = index.maxTimestamp();
        if (maxTimestamp < cutoffMs) {
            return highWatermark;
        }
        Optional<TimeIndex.Entry> entry = index.lastEntryOlderThan(cutoffMs, highWatermark);
        return entry.map(TimeIndex.Entry::offset).orElse(-1L);
    }

    private boolean record(PartitionLog log, TrimResult result, String reason) {
        if (result.records() <= 0) {
            return false;
        }
        metrics.topic(log.topicPartition().topic()).onRetentionTrim(result.records(), result.bytes());
        LOG.info("Retention moved the log start offset of {} from {} to {} ({} records, {} bytes) by {}",
            log.topicPartition(), result.previousStartOffset(), result.startOffset(), result.records(),
            result.bytes(), reason);
        return true;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
