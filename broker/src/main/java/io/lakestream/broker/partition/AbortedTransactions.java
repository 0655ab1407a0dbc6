package io.lakestream.broker.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.message.AbortedTxn;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.storage.internals.log.CompletedTxn;

/**
 * A partition's aborted transactions, what Kafka keeps in its per-segment transaction index:
 * for each abort marker, the producer, the transaction's first and last offsets and the last
 * stable offset when it completed. A read-committed fetch gets the ones overlapping what it
 * read, so the consumer can drop their records.
 *
 * <p>Added to under the partition's append lock; read by fetches without it (copy-on-write:
 * aborts are rare next to reads).
 */
final class AbortedTransactions {
    private final List<AbortedTxn> aborted = new CopyOnWriteArrayList<>();

    AbortedTransactions(List<AbortedTxn> restored) {
        aborted.addAll(restored);
    }

    void onCompleted(CompletedTxn txn, long lastStableOffset) {
        if (txn.isAborted()) {
            aborted.add(new AbortedTxn().setProducerId(txn.producerId()).setFirstOffset(txn.firstOffset())
                .setLastOffset(txn.lastOffset()).setLastStableOffset(lastStableOffset));
        }
    }

    /** The aborted transactions with records in {@code [fetchOffset, upperBoundOffset)}, as a fetch answers them. */
    List<FetchResponseData.AbortedTransaction> overlapping(long fetchOffset, long upperBoundOffset) {
        List<FetchResponseData.AbortedTransaction> found = new ArrayList<>();
        for (AbortedTxn txn : aborted) {
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                found.add(new FetchResponseData.AbortedTransaction().setProducerId(txn.producerId())
                    .setFirstOffset(txn.firstOffset()));
            }
        }
        return found;
    }

    /** Forgets the transactions that ended below the log start: no fetch can reach their records. */
    void trimBefore(long logStartOffset) {
        aborted.removeIf(txn -> txn.lastOffset() < logStartOffset);
    }

    /** Every one kept, oldest marker first, for a checkpoint. */
    List<AbortedTxn> all() {
        return List.copyOf(aborted);
    }
}
