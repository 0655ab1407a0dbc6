package io.lakestream.broker.partition;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a fetch read from one partition, with the partition's offsets at the time of the read.
 *
 * <p>The batches are kept as the read-only views the stream returned (of the log cache's or
 * the block cache's buffers), not copied: a Fetch response sends them as they are
 * ({@link #fetchRecords()}); only a caller that wants one {@link MemoryRecords}
 * ({@link #records()}) pays for joining them into one buffer. Immutable and thread-safe.
 */
public final class ReadResult {
    private final List<ByteBuffer> batches;
    private final int sizeInBytes;
    private final long highWatermark;
    private final long lastStableOffset;
    private final long logStartOffset;
    private final List<FetchResponseData.AbortedTransaction> abortedTransactions;

    /**
     * @param batches whole record batches, one buffer each, in offset order; the first may start
     *     before the fetch offset, as in Kafka. Nobody may write to them afterwards.
     * @param abortedTransactions for a read-committed read, the aborted transactions with records
     *     in what it read (possibly none); null for a read-uncommitted one, as Kafka answers
     */
    public ReadResult(List<ByteBuffer> batches, long highWatermark, long lastStableOffset, long logStartOffset,
               List<FetchResponseData.AbortedTransaction> abortedTransactions) {
        this.batches = batches;
        int size = 0;
        for (ByteBuffer batch : batches) {
            size += batch.remaining();
        }
        this.sizeInBytes = size;
        this.highWatermark = highWatermark;
        this.lastStableOffset = lastStableOffset;
        this.logStartOffset = logStartOffset;
        this.abortedTransactions = abortedTransactions;
    }

    static ReadResult empty(long highWatermark, long lastStableOffset, long logStartOffset,
                            List<FetchResponseData.AbortedTransaction> abortedTransactions) {
        return new ReadResult(List.of(), highWatermark, lastStableOffset, logStartOffset, abortedTransactions);
    }

    /** The batches joined into one writable buffer of their own (a copy; an empty read copies nothing). */
    public MemoryRecords records() {
        if (batches.isEmpty()) {
            return MemoryRecords.EMPTY;
        }
        ByteBuffer joined = ByteBuffer.allocate(sizeInBytes);
        for (ByteBuffer batch : batches) {
            joined.put(batch.duplicate());
        }
        return MemoryRecords.readableRecords(joined.flip());
    }

    /** The batches as a Fetch response sends them: views of the cached buffers, copied by nobody. */
    public BaseRecords fetchRecords() {
        return batches.isEmpty() ? MemoryRecords.EMPTY : new BatchSequenceRecords(batches, sizeInBytes);
    }

    public int sizeInBytes() {
        return sizeInBytes;
    }

    public long highWatermark() {
        return highWatermark;
    }

    public long lastStableOffset() {
        return lastStableOffset;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public List<FetchResponseData.AbortedTransaction> abortedTransactions() {
        return abortedTransactions;
    }
}
