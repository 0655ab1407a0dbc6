package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Where {@link TransactionMarkerWriter} hands the markers of partitions led by other brokers:
 * {@link TransactionMarkerChannel} (WriteTxnMarkers), or a unit test's fake. Thread-safe.
 */
interface TransactionMarkerSender extends AutoCloseable {
    /**
     * Asks {@code leader} to write {@code marker} to {@code partitions}; returns one future per
     * partition, completed once the marker is durable there or failed with why not.
     */
    Map<TopicPartition, CompletableFuture<Void>> send(ClusterView.BrokerEndpoint leader,
                                                      TransactionMarkerQueue.Marker marker,
                                                      Collection<TopicPartition> partitions);

    @Override
    void close();
}
