package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterAdmin.ProducerIdBlock;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId for idempotent producers: hands out producer ids from a block this broker
 * reserved at the controller, so ids are unique across brokers and restarts without a
 * controller call per producer. Transactional producers need the transaction coordinator,
 * which this broker does not run yet; they are refused before they get here, because
 * FindCoordinator is not advertised.
 *
 * <p>Thread-safe: the current block is swapped under this object's lock.
 */
public final class InitProducerIdHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InitProducerIdHandler.class);
    private final ClusterAdmin admin;
    private ProducerIdBlock block;
    private long next;
    private CompletableFuture<Void> refill;

    public InitProducerIdHandler(ClusterAdmin admin) {
        this.admin = admin;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        InitProducerIdRequest init = request.body(InitProducerIdRequest.class);
        if (init.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(init.getErrorResponse(0,
                Errors.UNSUPPORTED_VERSION.exception("Transactions are not supported by this broker yet")));
        }
        return nextProducerId().handle((id, error) -> {
            if (error != null) {
                // As Kafka's producer id manager answers while it has no block: the client retries.
                LOG.warn("No producer id block from the controller yet: {}", Failures.cause(error).toString());
                return init.getErrorResponse(0, Errors.COORDINATOR_LOAD_IN_PROGRESS.exception(
                    "Waiting for a block of producer ids from the controller"));
            }
            return new InitProducerIdResponse(new InitProducerIdResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(id)
                .setProducerEpoch((short) 0)
                .setOngoingTxnProducerId(RecordBatch.NO_PRODUCER_ID)
                .setOngoingTxnProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        });
    }

    private CompletableFuture<Long> nextProducerId() {
        CompletableFuture<Void> waitFor;
        synchronized (this) {
            if (block != null && next < block.firstId() + block.size()) {
                return CompletableFuture.completedFuture(next++);
            }
            if (refill == null) {
                refill = admin.allocateProducerIds().thenAccept(this::install);
                refill.whenComplete((ignored, error) -> {
                    synchronized (this) {
                        refill = null;
                    }
                });
            }
            waitFor = refill;
        }
        return waitFor.thenCompose(ignored -> nextProducerId());
    }

    private synchronized void install(ProducerIdBlock newBlock) {
        block = newBlock;
        next = newBlock.firstId();
    }
}
