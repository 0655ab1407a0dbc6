package io.lakestream.broker.handler.txn;

import io.lakestream.broker.cluster.ClusterView;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/** What the transaction handlers share: the error codes older clients understand, and where a partition lives. */
final class TransactionErrors {
    private TransactionErrors() {}

    /**
     * PRODUCER_FENCED is sent from the version that introduced it; older clients get
     * INVALID_PRODUCER_EPOCH, as Kafka's KafkaApis converts it.
     */
    static Errors forVersion(Errors error, short version, short firstVersionWithFenced) {
        return error == Errors.PRODUCER_FENCED && version < firstVersionWithFenced ? Errors.INVALID_PRODUCER_EPOCH : error;
    }

    /**
     * Whether {@code tp} can join a transaction: NONE if a broker leads it (this one or another,
     * which then gets its marker through WriteTxnMarkers), else UNKNOWN_TOPIC_OR_PARTITION
     * (retried by the client) if it does not exist or has no leader yet.
     */
    static Errors placement(ClusterView view, TopicPartition tp) {
        return view.leaderOf(tp) >= 0 ? Errors.NONE : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
}
