package io.lakestream.broker.partition;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.AbortedTxn;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's persisted index: writes its {@link IndexSegment}s to the
 * {@link IndexSegmentStore} and deletes the ones nothing needs any more.
 *
 * <p>A checkpoint appends the entries since the previous segment to that segment, rewritten
 * under its new end, until it holds {@value #MAX_SEGMENT_ENTRIES} entries (about 1.5 MiB, or
 * 256 MiB of log at the default {@code index.interval.bytes}); then it starts a new segment
 * that links to it. So a partition has one segment per that much retained log however often
 * it is checkpointed, and a restart reads the segments and replays only the batches after the
 * newest one. Segments that end at or before the index entry holding the log start are deleted.
 *
 * <p>Thread-safe: checkpoints run one after another, each after the previous one completed;
 * {@code lastSegment} is only touched by the running one.
 */
final class IndexCheckpoints {
    static final int MAX_SEGMENT_ENTRIES = 65_536;
    private static final Logger LOG = LoggerFactory.getLogger(IndexCheckpoints.class);

    private final TopicPartition topicPartition;
    private final long streamId;
    private final IndexSegmentStore store;
    private final long restoredEndOffset;
    private final Object lock = new Object();
    /** Guarded by {@code lock}: the latest checkpoint; the next one starts when it completes. */
    private CompletableFuture<Boolean> lastCheckpoint = CompletableFuture.completedFuture(false);
    /** The segment the next checkpoint extends or links to; null: the next one is a root. */
    private volatile IndexSegment lastSegment;

    /**
     * What a checkpoint writes, read from the partition under its append lock.
     *
     * @param endOffset the log end offset
     * @param lastBatch the last batch appended or replayed ({@link PartitionLog.BatchRef#NONE} if none)
     * @param index the partition's index, for its entries (they only change at the end and start)
     * @param start the index's log start
     * @param tail the index's totals at {@code endOffset}
     * @param producerSnapshot the producers' state at {@code endOffset}
     * @param abortedTxns the aborted transactions above the log start at {@code endOffset}
     * @param lastAppend the write of the last batch; the checkpoint waits for it to be durable
     */
    record State(long endOffset, PartitionLog.BatchRef lastBatch, TimeIndex index,
                 TimeIndex.Start start, TimeIndex.Tail tail, ByteBuffer producerSnapshot,
                 List<AbortedTxn> abortedTxns, CompletableFuture<Void> lastAppend) {}

    IndexCheckpoints(TopicPartition topicPartition, long streamId, IndexSegmentStore store, IndexSegment loaded) {
        this.topicPartition = topicPartition;
        this.streamId = streamId;
        this.store = store;
        this.lastSegment = loaded;
        this.restoredEndOffset = loaded == null ? -1 : loaded.endOffset();
    }

    /** The end offset of the segment the partition's load restored its state from, -1 if it replayed everything. */
    long restoredEndOffset() {
        return restoredEndOffset;
    }

    CompletableFuture<Boolean> checkpoint(PartitionLog log) {
        synchronized (lock) {
            CompletableFuture<Boolean> next = lastCheckpoint.handle((ignored, error) -> null)
                .thenCompose(ignored -> checkpointNow(log))
                .exceptionally(error -> {
                    LOG.warn("Index checkpoint of {} failed; the next one retries: {}", topicPartition,
                        error.toString());
                    return false;
                });
            lastCheckpoint = next;
            return next;
        }
    }

    private CompletableFuture<Boolean> checkpointNow(PartitionLog log) {
        IndexSegment previous = lastSegment;
        // Checked before taking the state, which snapshots the producers: most passes find nothing new.
        if (previous != null && upToDate(previous, log.logEndOffset(), log.index().start())) {
            return CompletableFuture.completedFuture(false);
        }
        State state = log.checkpointState();
        if (state.lastBatch().offset() < 0 || (previous != null && upToDate(previous, state.endOffset(), state.start()))) {
            return CompletableFuture.completedFuture(false);
        }
        IndexSegment segment = next(previous, state);
        return state.lastAppend().handle((ignored, error) -> error == null
                && log.highWatermark() >= state.endOffset())
            .thenCompose(durable -> {
                if (!durable) {
                    return CompletableFuture.completedFuture(false);
                }
                return store.write(streamId, segment).thenCompose(ignored -> {
                    lastSegment = segment;
                    boolean replaced = previous != null && segment.previousEndOffset() == previous.previousEndOffset()
                        && !segment.name().equals(previous.name());
                    return store.delete(streamId, replaced ? List.of(previous.name()) : List.of());
                }).thenCompose(ignored -> deleteBelowStart(state))
                    .thenApply(ignored -> true);
            });
    }

    private static boolean upToDate(IndexSegment segment, long endOffset, TimeIndex.Start start) {
        return segment.endOffset() == endOffset && segment.start().equals(start);
    }

    /** {@code previous} extended to {@code state}, or a new segment after it once it is full. */
    private static IndexSegment next(IndexSegment previous, State state) {
        long end = state.endOffset();
        if (previous == null) {
            return segment(IndexSegment.ROOT, -1, state, state.index().entriesBetween(Long.MIN_VALUE, end));
        }
        List<TimeIndex.Entry> fresh = state.index().entriesBetween(previous.endOffset(), end);
        if (previous.entries().size() + fresh.size() > MAX_SEGMENT_ENTRIES) {
            return segment(previous.endOffset(), previous.anchorChecksum(), state, fresh);
        }
        long from = previous.isRoot() ? Long.MIN_VALUE : previous.previousEndOffset();
        return segment(previous.previousEndOffset(), previous.previousAnchorChecksum(), state,
            state.index().entriesBetween(from, end));
    }

    private static IndexSegment segment(long previousEnd, long previousAnchor, State state,
                                        List<TimeIndex.Entry> entries) {
        return new IndexSegment(previousEnd, previousAnchor, state.endOffset(), state.lastBatch().offset(),
            state.lastBatch().checksum(), state.start(), state.tail(), entries, state.producerSnapshot(),
            state.abortedTxns());
    }

    /** Deletes every segment of the partition, once it is deleted, after any checkpoint under way. */
    CompletableFuture<Void> deleteAll() {
        synchronized (lock) {
            CompletableFuture<Boolean> last = lastCheckpoint;
            return last.handle((ignored, error) -> null).thenCompose(ignored -> store.deleteAll(streamId));
        }
    }

    /** Deletes the segments that end at or before the index entry holding the log start. */
    private CompletableFuture<Void> deleteBelowStart(State state) {
        return state.index().floor(state.start().offset())
            .map(entry -> store.deleteEndingAtOrBefore(streamId, entry.offset()))
            .orElseGet(() -> CompletableFuture.completedFuture(null));
    }
}
