package io.lakestream.broker.partition;

import io.lakestream.broker.partition.PartitionLog.TimestampAndOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A sparse time index of one partition, like Kafka's: every {@code intervalBytes} of appended
 * batches it records the batch's base offset, the largest timestamp of every record before it
 * and how many bytes were appended before it. That largest timestamp never decreases, so a
 * lookup for time T can start at the last entry whose timestamp is below T: no record before it
 * is at T or later. The byte positions give the partition's size from its start offset, to
 * within one interval, without a read.
 *
 * <p>Thread-safe: {@link #onAppend} is called under the partition's append lock, lookups from
 * any thread.
 */
final class TimeIndex {
    private final int intervalBytes;
    /** base offset -> what came before that offset. */
    private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();
    private long bytesSinceEntry;
    private volatile long bytesAppended;
    private volatile long maxTimestamp = -1;
    private volatile long maxTimestampBatchOffset = -1;
    private volatile int maxTimestampLeaderEpoch = -1;

    TimeIndex(int intervalBytes) {
        this.intervalBytes = intervalBytes;
    }

    void onAppend(long baseOffset, long batchMaxTimestamp, int sizeBytes, int leaderEpoch) {
        if (bytesSinceEntry >= intervalBytes) {
            entries.put(baseOffset, new Entry(maxTimestamp, bytesAppended));
            bytesSinceEntry = 0;
        }
        bytesSinceEntry += sizeBytes;
        bytesAppended += sizeBytes;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestampBatchOffset = baseOffset;
            maxTimestampLeaderEpoch = leaderEpoch;
            maxTimestamp = batchMaxTimestamp;
        }
    }

    /** An offset at or before the first record with a timestamp at or after {@code timestampMs}. */
    long lookupStart(long timestampMs) {
        long start = 0;
        for (Map.Entry<Long, Entry> entry : entries.entrySet()) {
            if (entry.getValue().maxTimestampBefore() >= timestampMs) {
                break;
            }
            start = entry.getKey();
        }
        return start;
    }

    /**
     * The bytes of the batches from {@code startOffset} on; may count up to one interval of
     * batches below it, as Kafka's log size counts a segment until all of it is deleted.
     */
    long bytesFrom(long startOffset) {
        Map.Entry<Long, Entry> floor = entries.floorEntry(startOffset);
        return bytesAppended - (floor == null ? 0 : floor.getValue().position());
    }

    /** The largest timestamp appended through this index and the base offset of its batch. */
    Optional<TimestampAndOffset> maxTimestampBatch() {
        long offset = maxTimestampBatchOffset;
        return offset < 0 ? Optional.empty()
            : Optional.of(new TimestampAndOffset(maxTimestamp, offset, maxTimestampLeaderEpoch));
    }

    void trimBefore(long startOffset) {
        Long floor = entries.floorKey(startOffset);
        if (floor != null) {
            entries.headMap(floor).clear();
        }
    }

    /** @param position the bytes appended before the entry's offset, since the partition was loaded */
    private record Entry(long maxTimestampBefore, long position) {}
}
