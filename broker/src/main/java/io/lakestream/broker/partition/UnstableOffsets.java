package io.lakestream.broker.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.storage.internals.log.CompletedTxn;

/**
 * What holds a partition's last stable offset below its high watermark: the first offset of
 * the oldest open transaction, and each ended transaction whose marker is not yet durable
 * (Kafka's "unreplicated" transactions: until the marker is below the high watermark, a
 * read-committed consumer must not pass the transaction's first record).
 *
 * <p>Immutable. {@link PartitionLog} publishes a new one, under its append lock, whenever an
 * append changes them; a fetch computes the last stable offset from the latest one without the
 * lock, as Kafka's UnifiedLog keeps its first unstable offset in a volatile field. The one an
 * append publishes before its batches reach the stream holds the stable offset at the
 * append's first transactional batch, so a high watermark that passes the batch before the
 * exact state is published cannot expose it.
 */
final class UnstableOffsets {
    static final UnstableOffsets NONE = new UnstableOffsets(Long.MAX_VALUE, List.of());

    /** An ended transaction: its first offset and the offset of its marker. */
    private record Ended(long firstOffset, long markerOffset) {}

    /** The first offset of the oldest open transaction, or {@code Long.MAX_VALUE}. */
    private final long firstUndecided;
    /** Ended transactions whose markers were not below the high watermark when this was built. */
    private final List<Ended> ended;

    private UnstableOffsets(long firstUndecided, List<Ended> ended) {
        this.firstUndecided = firstUndecided;
        this.ended = ended;
    }

    /** Only open transactions, the oldest from {@code firstUndecided}: a loaded partition's. */
    static UnstableOffsets open(OptionalLong firstUndecided) {
        return of(firstUndecided.orElse(Long.MAX_VALUE), List.of());
    }

    private static UnstableOffsets of(long firstUndecided, List<Ended> ended) {
        return firstUndecided == Long.MAX_VALUE && ended.isEmpty() ? NONE : new UnstableOffsets(firstUndecided, ended);
    }

    /** The last stable offset at {@code highWatermark}. */
    long lastStableOffset(long highWatermark) {
        long stable = Math.min(highWatermark, firstUndecided);
        for (Ended txn : ended) {
            if (txn.markerOffset() >= highWatermark) {
                stable = Math.min(stable, txn.firstOffset());
            }
        }
        return stable;
    }

    /** This, also holding the stable offset at {@code offset}: an append's first transactional batch. */
    UnstableOffsets holdingAt(long offset) {
        return offset < firstUndecided ? new UnstableOffsets(offset, ended) : this;
    }

    /**
     * After an append: the open transactions' first offset as the producer state now has it, and
     * the ended transactions held here and in {@code completed}, less those whose markers are
     * below {@code highWatermark}.
     */
    UnstableOffsets afterAppend(OptionalLong firstUndecided, List<CompletedTxn> completed, long highWatermark) {
        List<Ended> stillEnding = new ArrayList<>(ended.size() + completed.size());
        for (Ended txn : ended) {
            if (txn.markerOffset() >= highWatermark) {
                stillEnding.add(txn);
            }
        }
        for (CompletedTxn txn : completed) {
            if (txn.lastOffset() >= highWatermark) {
                stillEnding.add(new Ended(txn.firstOffset(), txn.lastOffset()));
            }
        }
        return of(firstUndecided.orElse(Long.MAX_VALUE), List.copyOf(stillEnding));
    }
}
