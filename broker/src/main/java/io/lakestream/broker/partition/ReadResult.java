package io.lakestream.broker.partition;

import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a fetch read from one partition, with the partition's offsets at the time of the read.
 *
 * @param records whole record batches; the first may start before the fetch offset, as in Kafka
 */
public record ReadResult(MemoryRecords records, long highWatermark, long logStartOffset) {

    public int sizeInBytes() {
        return records.sizeInBytes();
    }
}
