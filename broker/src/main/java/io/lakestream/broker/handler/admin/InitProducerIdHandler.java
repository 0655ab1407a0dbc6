package io.lakestream.broker.handler.admin;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.ProducerIdAllocator;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;

/**
 * InitProducerId: an idempotent producer (no transactional id) gets a new producer id with
 * epoch 0 from the block this broker reserved at the controller; a transactional producer is
 * answered by the {@link TransactionCoordinator} (new id or next epoch, fencing older ones).
 * Before v4 a fenced producer is told INVALID_PRODUCER_EPOCH, as Kafka tells it.
 */
public final class InitProducerIdHandler implements RequestHandler {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 4;
    private final ProducerIdAllocator producerIds;
    private final TransactionCoordinator transactions;

    public InitProducerIdHandler(ProducerIdAllocator producerIds, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        InitProducerIdRequest init = request.body(InitProducerIdRequest.class);
        String transactionalId = init.data().transactionalId();
        if (transactionalId == null) {
            return producerIds.next().handle((id, error) -> error != null
                ? init.getErrorResponse(0, Failures.cause(error))
                : response(Errors.NONE, id, (short) 0));
        }
        if (init.data().enable2Pc()) {
            return CompletableFuture.completedFuture(init.getErrorResponse(0, Errors.UNSUPPORTED_VERSION.exception(
                "Two-phase commit transactions (KIP-939) are not supported")));
        }
        Optional<ProducerIdAndEpoch> expected = init.data().producerId() == RecordBatch.NO_PRODUCER_ID
            ? Optional.empty()
            : Optional.of(new ProducerIdAndEpoch(init.data().producerId(), init.data().producerEpoch()));
        return transactions.initProducerId(transactionalId, init.data().transactionTimeoutMs(), expected)
            .thenApply(result -> {
                Errors error = result.error();
                if (error == Errors.PRODUCER_FENCED && request.apiVersion() < FIRST_VERSION_WITH_PRODUCER_FENCED) {
                    error = Errors.INVALID_PRODUCER_EPOCH;
                }
                return response(error, result.producerId(), result.producerEpoch());
            });
    }

    private static AbstractResponse response(Errors error, long producerId, short producerEpoch) {
        return new InitProducerIdResponse(new InitProducerIdResponseData()
            .setErrorCode(error.code())
            .setProducerId(producerId)
            .setProducerEpoch(producerEpoch)
            .setOngoingTxnProducerId(RecordBatch.NO_PRODUCER_ID)
            .setOngoingTxnProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
    }
}
