package io.lakestream.broker.cleaner;

import java.nio.ByteBuffer;
import java.security.DigestException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.storage.internals.log.OffsetMap;

/**
 * Kafka's record filter of one cleaning pass, applied to one record batch at a time: a record
 * stays if its key has no later offset in the pass's {@link OffsetMap} (or it is past the
 * map), and a tombstone stays until its batch's delete horizon; records without a key go.
 * Unlike Kafka's cleaner, every batch stays, emptied to its header if need be: a stream's
 * offsets are contiguous, and the header keeps the batch's offsets and producer state. A
 * batch that keeps a tombstone gets its delete horizon (now plus {@code delete.retention.ms})
 * the first time, as in Kafka (KIP-534). Records of aborted transactions ({@link AbortedRanges})
 * all go, wherever they are; transaction markers stay.
 *
 * <p>Not thread-safe: one pass, on the cleaner's thread.
 */
final class CompactionFilter extends MemoryRecords.RecordFilter {
    private final OffsetMap map;
    private final AbortedRanges aborted;
    /** Whether the batch being filtered belongs to an aborted transaction: all its records go. */
    private boolean abortedBatch;
    private long recordsRead;
    private long recordsRetained;
    private long earliestDeleteHorizonMs = Long.MAX_VALUE;

    CompactionFilter(OffsetMap map, AbortedRanges aborted, long nowMs, long deleteRetentionMs) {
        super(nowMs, deleteRetentionMs);
        this.map = map;
        this.aborted = aborted;
    }

    /** {@code batch} (one whole record batch) with the records this pass removes taken out. */
    ByteBuffer filter(ByteBuffer batch) {
        MemoryRecords records = MemoryRecords.readableRecords(batch.slice());
        // Records were size-checked when produced: no body limit is needed again here.
        MemoryRecords.FilterResult result = records.filterTo(this, ByteBuffer.allocate(batch.remaining()),
            BufferSupplier.NO_CACHING, Integer.MAX_VALUE);
        recordsRead += result.messagesRead();
        recordsRetained += result.messagesRetained();
        ByteBuffer output = result.outputBuffer().flip();
        for (MutableRecordBatch kept : MemoryRecords.readableRecords(output.duplicate()).batches()) {
            kept.deleteHorizonMs().ifPresent(horizon -> earliestDeleteHorizonMs = Math.min(earliestDeleteHorizonMs,
                horizon));
        }
        return output;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        abortedBatch = aborted.isAborted(batch);
        return new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, false);
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        if (abortedBatch) {
            return false;
        }
        if (batch.isControlBatch() || record.offset() > map.latestOffset()) {
            return true;
        }
        if (!record.hasKey()) {
            return false;
        }
        long latest;
        try {
            latest = map.get(record.key());
        } catch (DigestException e) {
            throw new IllegalStateException("The offset map cannot hash a key", e);
        }
        boolean keepTombstone = batch.deleteHorizonMs().isEmpty() || currentTime < batch.deleteHorizonMs().getAsLong();
        return record.offset() >= latest && (record.hasValue() || keepTombstone);
    }

    long recordsRead() {
        return recordsRead;
    }

    long recordsRetained() {
        return recordsRetained;
    }

    /** The earliest delete horizon of a kept tombstone, when a later pass can remove it; MAX_VALUE if none. */
    long earliestDeleteHorizonMs() {
        return earliestDeleteHorizonMs;
    }
}
