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
     * Whether {@code tp} can join a transaction coordinated here: NONE if this broker leads it,
     * UNKNOWN_TOPIC_OR_PARTITION (retried) if it does not exist or has no leader yet, and
     * INVALID_REQUEST if another broker leads it: the markers are written locally, and this
     * broker does not send WriteTxnMarkers to other brokers yet.
     */
    static Errors placement(ClusterView view, TopicPartition tp, int nodeId) {
        return view.topic(tp.topic())
            .flatMap(topic -> topic.partitions().stream().filter(p -> p.partition() == tp.partition()).findFirst())
            .map(ClusterView.PartitionView::leader)
            .map(leader -> leader == nodeId ? Errors.NONE
                : leader < 0 ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_REQUEST)
            .orElse(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
}
