package io.lakestream.broker.cleaner;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.message.AbortedTxn;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Which transactional batches of a partition belong to aborted transactions, for a cleaning
 * pass: what Kafka's {@code CleanedTransactionMetadata} decides from the transaction index.
 * Their records must not count as the latest of their key and are removed; the batches stay as
 * headers, as every batch does here. Decided by offset range (a transaction's first offset to
 * its abort marker), so it does not depend on the pass seeing the batches in order.
 * Markers are kept: Kafka removes one only after its transaction's records are gone and its
 * delete horizon has passed; keeping it is always correct and costs one small batch.
 *
 * <p>Immutable.
 */
final class AbortedRanges {
    static final AbortedRanges NONE = new AbortedRanges(List.of());

    private final Map<Long, List<AbortedTxn>> byProducer;

    AbortedRanges(List<AbortedTxn> aborted) {
        this.byProducer = aborted.stream().collect(Collectors.groupingBy(AbortedTxn::producerId));
    }

    /** Whether {@code batch} holds records of an aborted transaction. */
    boolean isAborted(RecordBatch batch) {
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return false;
        }
        for (AbortedTxn txn : byProducer.getOrDefault(batch.producerId(), List.of())) {
            if (batch.baseOffset() >= txn.firstOffset() && batch.baseOffset() <= txn.lastOffset()) {
                return true;
            }
        }
        return false;
    }
}
