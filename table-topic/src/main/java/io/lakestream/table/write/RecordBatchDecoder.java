package io.lakestream.table.write;

import io.lakestream.table.convert.SourceRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Turns the record batches a partition read returned into {@link SourceRecord}s, with Kafka's
 * own batch classes (compressed batches are decompressed by them). The one place this module
 * reads Kafka's internal record format. Stateless.
 */
final class RecordBatchDecoder {
    private RecordBatchDecoder() {}

    /**
     * Adds the records at or after {@code fromOffset} to {@code out}, skipping control batches.
     *
     * @return the offset after the last batch read, or {@code fromOffset} if there was none
     */
    static long decode(int partition, ByteBuffer batches, long fromOffset, List<SourceRecord> out) {
        long next = fromOffset;
        for (RecordBatch batch : MemoryRecords.readableRecords(batches).batches()) {
            if (batch.nextOffset() <= next) {
                continue;
            }
            if (!batch.isControlBatch()) {
                for (Record record : batch) {
                    if (record.offset() < next) {
                        continue;
                    }
                    // With LogAppendTime, Kafka's batch iterator gives every record the batch's time.
                    out.add(new SourceRecord(partition, record.offset(), record.timestamp(),
                        record.hasKey() ? record.key() : null, record.hasValue() ? record.value() : null,
                        record.headers()));
                }
            }
            next = batch.nextOffset();
        }
        return next;
    }
}
