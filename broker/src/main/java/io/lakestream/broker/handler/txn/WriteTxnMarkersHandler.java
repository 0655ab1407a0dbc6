package io.lakestream.broker.handler.txn;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionMarkerWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * WriteTxnMarkers: writes each COMMIT or ABORT marker to the partitions it names, as Kafka's
 * broker does for a transaction coordinator, and for Admin.abortTransaction
 * (kafka-transactions.sh abort of a hanging transaction). Each partition is answered on its
 * own: NONE once its marker is durable, else the append's error (NOT_LEADER_OR_FOLLOWER,
 * TRANSACTION_COORDINATOR_FENCED for a stale coordinator epoch, ...).
 */
public final class WriteTxnMarkersHandler implements RequestHandler {
    private final TransactionMarkerWriter markers;

    public WriteTxnMarkersHandler(TransactionMarkerWriter markers) {
        this.markers = markers;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        WriteTxnMarkersRequest write = request.body(WriteTxnMarkersRequest.class);
        Map<Long, Map<TopicPartition, Errors>> errors = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (WriteTxnMarkersRequest.TxnMarkerEntry marker : write.markers()) {
            Map<TopicPartition, Errors> partitions = errors.computeIfAbsent(marker.producerId(),
                id -> new ConcurrentHashMap<>());
            for (TopicPartition tp : marker.partitions()) {
                writes.add(markers.writeLocally(tp, marker.producerId(), marker.producerEpoch(), marker.coordinatorEpoch(),
                        marker.transactionResult())
                    .handle((ignored, error) -> {
                        partitions.put(tp, error == null ? Errors.NONE : Errors.forException(Failures.cause(error)));
                        return null;
                    }));
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new WriteTxnMarkersResponse(errors));
    }
}
