package io.lakestream.broker.partition;

import io.lakestream.broker.partition.PartitionLog.TimestampAndOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/**
 * Finds the first record at or after a timestamp by reading batches forward from a start
 * offset: batches whose largest timestamp is older are skipped whole, and only the batch that
 * holds the answer is decompressed. One search, used once; reads chain on the stream's threads.
 */
final class TimestampSearch {
    private static final int READ_BYTES = 1 << 20;

    private final PartitionLog log;
    private final long timestampMs;
    private final long endOffset;

    TimestampSearch(PartitionLog log, long timestampMs, long endOffset) {
        this.log = log;
        this.timestampMs = timestampMs;
        this.endOffset = endOffset;
    }

    CompletableFuture<Optional<TimestampAndOffset>> searchFrom(long offset) {
        if (offset >= endOffset) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return log.read(offset, READ_BYTES, true).thenCompose(result -> {
            long next = offset;
            for (MutableRecordBatch batch : result.records().batches()) {
                if (batch.lastOffset() < offset) {
                    continue;
                }
                if (batch.maxTimestamp() >= timestampMs) {
                    for (Record record : batch) {
                        if (record.offset() >= offset && record.timestamp() >= timestampMs) {
                            return CompletableFuture.completedFuture(Optional.of(
                                new TimestampAndOffset(record.timestamp(), record.offset(),
                                    batch.partitionLeaderEpoch())));
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                return CompletableFuture.completedFuture(Optional.<TimestampAndOffset>empty());
            }
            return searchFrom(next);
        });
    }

    /** The first record of the batch at {@code batchOffset} whose timestamp is {@code timestamp}. */
    static CompletableFuture<Optional<TimestampAndOffset>> resolveRecord(PartitionLog log, TimestampAndOffset batchMax) {
        return log.read(batchMax.offset(), 1, true).thenApply(result -> {
            for (MutableRecordBatch batch : result.records().batches()) {
                for (Record record : batch) {
                    if (record.offset() >= batchMax.offset() && record.timestamp() == batchMax.timestamp()) {
                        return Optional.of(new TimestampAndOffset(record.timestamp(), record.offset(),
                            batch.partitionLeaderEpoch()));
                    }
                }
            }
            return Optional.of(batchMax);
        });
    }
}
