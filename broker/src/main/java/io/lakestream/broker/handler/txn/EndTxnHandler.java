package io.lakestream.broker.handler.txn;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * EndTxn: commits or aborts the producer's transaction, answered once PrepareCommit or
 * PrepareAbort is durable (the markers follow), as Kafka answers. The classic protocol: the
 * producer keeps its epoch, so v5's producer id and epoch fields are answered empty.
 */
public final class EndTxnHandler implements RequestHandler {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private final TransactionCoordinator coordinator;

    public EndTxnHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        EndTxnRequest end = request.body(EndTxnRequest.class);
        EndTxnRequestData data = end.data();
        return coordinator.endTransaction(data.transactionalId(), data.producerId(), data.producerEpoch(), end.result())
            .thenApply(error -> new EndTxnResponse(new EndTxnResponseData()
                .setErrorCode(TransactionErrors.forVersion(error, request.apiVersion(),
                    FIRST_VERSION_WITH_PRODUCER_FENCED).code())
                .setProducerId(RecordBatch.NO_PRODUCER_ID)
                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH)));
    }
}
