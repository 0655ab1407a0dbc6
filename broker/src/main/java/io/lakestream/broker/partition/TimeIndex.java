package io.lakestream.broker.partition;

import io.lakestream.broker.partition.PartitionLog.TimestampAndOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A sparse index of one partition's batches, like Kafka's time index joined with the position
 * column of its offset index. The first batch, and then a batch every {@code intervalBytes} of
 * appended batches, gets an entry: its base offset, the largest timestamp of every record before
 * it, and its position, the bytes of every batch before it (counted from the first batch this
 * index saw). Both values never decrease along the log, so
 * <ul>
 *   <li>a lookup for time T can start at the last entry whose timestamp is below T: no record
 *       before it is at T or later;</li>
 *   <li>retention can drop everything before the last entry whose timestamp is older than its
 *       limit, or whose position leaves enough bytes behind it;</li>
 *   <li>the partition's size is the end position minus the position of the batch holding the log
 *       start offset ({@link #sizeInBytes()}).</li>
 * </ul>
 * The index keeps the entry at or before the log start, so every readable offset has an entry at
 * or before it. Memory: one entry per {@code index.interval.bytes} of retained log.
 *
 * <p>Thread-safe: {@link #onAppend} is called under the partition's append lock and
 * {@link #trimBefore} by one trim at a time; lookups from any thread.
 */
final class TimeIndex {
    private final int intervalBytes;
    /** base offset -> entry. */
    private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();
    private long bytesSinceEntry;
    /** The bytes of every batch appended through this index: the position of the next batch. */
    private volatile long endPosition;
    /** The log start offset and the position of the batch that holds it, set together. */
    private volatile Start start;
    private volatile long maxTimestamp = -1;
    private volatile long maxTimestampBatchOffset = -1;
    private volatile int maxTimestampLeaderEpoch = -1;

    /**
     * One entry.
     *
     * @param offset the base offset of a batch
     * @param maxTimestampBefore the largest timestamp of the records before it, -1 if none
     * @param position the bytes of the batches before it
     */
    record Entry(long offset, long maxTimestampBefore, long position) {}

    /** The log start offset and the position of the batch that holds it. */
    record Start(long offset, long position) {}

    /**
     * The running totals of an index, as of its last append: what an index restored from
     * persisted entries needs to carry on.
     */
    record Tail(long endPosition, long bytesSinceEntry, long maxTimestamp, long maxTimestampOffset,
                int maxTimestampLeaderEpoch) {}

    /** An empty index of a log that starts at {@code startOffset}. */
    TimeIndex(int intervalBytes, long startOffset) {
        this.intervalBytes = intervalBytes;
        this.start = new Start(startOffset, 0);
    }

    /** An index restored from persisted {@code entries} (in offset order) and the totals after them. */
    TimeIndex(int intervalBytes, Start start, Tail tail, List<Entry> entries) {
        this.intervalBytes = intervalBytes;
        this.start = start;
        entries.forEach(entry -> this.entries.put(entry.offset(), entry));
        this.endPosition = tail.endPosition();
        this.bytesSinceEntry = tail.bytesSinceEntry();
        this.maxTimestamp = tail.maxTimestamp();
        this.maxTimestampBatchOffset = tail.maxTimestampOffset();
        this.maxTimestampLeaderEpoch = tail.maxTimestampLeaderEpoch();
    }

    void onAppend(long baseOffset, long batchMaxTimestamp, int sizeBytes, int leaderEpoch) {
        if (entries.isEmpty() || bytesSinceEntry >= intervalBytes) {
            entries.put(baseOffset, new Entry(baseOffset, maxTimestamp, endPosition));
            bytesSinceEntry = 0;
        }
        bytesSinceEntry += sizeBytes;
        endPosition += sizeBytes;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestampBatchOffset = baseOffset;
            maxTimestampLeaderEpoch = leaderEpoch;
            maxTimestamp = batchMaxTimestamp;
        }
    }

    /** An offset at or before the first record with a timestamp at or after {@code timestampMs}. */
    long lookupStart(long timestampMs) {
        long start = 0;
        for (Entry entry : entries.values()) {
            if (entry.maxTimestampBefore() >= timestampMs) {
                break;
            }
            start = entry.offset();
        }
        return start;
    }

    /** The largest timestamp appended through this index and the base offset of its batch. */
    Optional<TimestampAndOffset> maxTimestampBatch() {
        long offset = maxTimestampBatchOffset;
        return offset < 0 ? Optional.empty()
            : Optional.of(new TimestampAndOffset(maxTimestamp, offset, maxTimestampLeaderEpoch));
    }

    /** The largest timestamp of every record appended through this index, -1 if none has one. */
    long maxTimestamp() {
        return maxTimestamp;
    }

    /**
     * The last entry at or before {@code maxOffset} whose every earlier record is older than
     * {@code cutoffMs}, if any.
     */
    Optional<Entry> lastEntryOlderThan(long cutoffMs, long maxOffset) {
        Entry found = null;
        for (Entry entry : entries.headMap(maxOffset, true).values()) {
            if (entry.maxTimestampBefore() >= cutoffMs) {
                break;
            }
            found = entry;
        }
        return Optional.ofNullable(found);
    }

    /** The last entry at or before {@code maxOffset} whose position is at most {@code maxPosition}. */
    Optional<Entry> lastEntryAtOrBefore(long maxPosition, long maxOffset) {
        Entry found = null;
        for (Entry entry : entries.headMap(maxOffset, true).values()) {
            if (entry.position() > maxPosition) {
                break;
            }
            found = entry;
        }
        return Optional.ofNullable(found);
    }

    /** The entry at or before {@code offset}, if the index has one. */
    Optional<Entry> floor(long offset) {
        Map.Entry<Long, Entry> floor = entries.floorEntry(offset);
        return floor == null ? Optional.empty() : Optional.of(floor.getValue());
    }

    long endPosition() {
        return endPosition;
    }

    Start start() {
        return start;
    }

    /** The running totals; consistent with the entries only under the partition's append lock. */
    Tail tail() {
        return new Tail(endPosition, bytesSinceEntry, maxTimestamp, maxTimestampBatchOffset, maxTimestampLeaderEpoch);
    }

    /** The entries at or after {@code fromOffset} and before {@code toOffset}, in offset order. */
    List<Entry> entriesBetween(long fromOffset, long toOffset) {
        return List.copyOf(entries.subMap(fromOffset, true, toOffset, false).values());
    }

    /** The bytes of the batches from the one holding the log start offset to the end. */
    long sizeInBytes() {
        return endPosition - start.position();
    }

    /**
     * Forgets the entries before {@code startOffset}, keeping the one at or before it, and
     * records {@code startPosition}, the position of the batch that holds it.
     */
    void trimBefore(long startOffset, long startPosition) {
        Long floor = entries.floorKey(startOffset);
        if (floor != null) {
            entries.headMap(floor).clear();
        }
        this.start = new Start(startOffset, startPosition);
    }
}
