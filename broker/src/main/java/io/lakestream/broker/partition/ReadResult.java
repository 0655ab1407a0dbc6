package io.lakestream.broker.partition;

import java.util.List;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * What a fetch read from one partition, with the partition's offsets at the time of the read.
 *
 * @param records whole record batches; the first may start before the fetch offset, as in Kafka
 * @param abortedTransactions for a read-committed read, the aborted transactions with records
 *     in what it read (possibly none); null for a read-uncommitted one, as Kafka answers
 */
public record ReadResult(MemoryRecords records, long highWatermark, long lastStableOffset, long logStartOffset,
                         List<FetchResponseData.AbortedTransaction> abortedTransactions) {

    public int sizeInBytes() {
        return records.sizeInBytes();
    }
}
