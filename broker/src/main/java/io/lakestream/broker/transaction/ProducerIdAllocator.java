package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterAdmin.ProducerIdBlock;
import io.lakestream.broker.network.Failures;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out producer ids from a block this broker reserved at the controller, so ids are
 * unique across brokers and restarts without a controller call per producer: what Kafka's
 * {@code RPCProducerIdManager} does, for idempotent and transactional producers alike.
 *
 * <p>Thread-safe: the current block is swapped under this object's lock.
 */
public final class ProducerIdAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerIdAllocator.class);
    private final ClusterAdmin admin;
    private ProducerIdBlock block;
    private long next;
    private CompletableFuture<Void> refill;

    public ProducerIdAllocator(ClusterAdmin admin) {
        this.admin = admin;
    }

    /**
     * The next producer id; fails with COORDINATOR_LOAD_IN_PROGRESS (which clients retry), as
     * Kafka's manager does, while the controller has not given this broker a block.
     */
    public CompletableFuture<Long> next() {
        return nextId().exceptionallyCompose(error -> {
            LOG.warn("No producer id block from the controller yet: {}", Failures.cause(error).toString());
            return CompletableFuture.failedFuture(new CoordinatorLoadInProgressException(
                "Waiting for a block of producer ids from the controller"));
        });
    }

    private CompletableFuture<Long> nextId() {
        CompletableFuture<Void> waitFor;
        synchronized (this) {
            if (block != null && next < block.firstId() + block.size()) {
                return CompletableFuture.completedFuture(next++);
            }
            if (refill == null) {
                CompletableFuture<Void> started = admin.allocateProducerIds().thenAccept(this::install);
                refill = started;
                // May run at once (a block already at hand): waitFor is taken from the local, not the field.
                started.whenComplete((ignored, error) -> {
                    synchronized (this) {
                        refill = null;
                    }
                });
                waitFor = started;
            } else {
                waitFor = refill;
            }
        }
        return waitFor.thenCompose(ignored -> nextId());
    }

    private synchronized void install(ProducerIdBlock newBlock) {
        block = newBlock;
        next = newBlock.firstId();
    }
}
