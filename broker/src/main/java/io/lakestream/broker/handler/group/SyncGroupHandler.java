package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InconsistentGroupProtocolException;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * SyncGroup (classic protocol): the leader hands in the assignment, every member gets its own.
 * As Kafka, a v5+ request without its protocol type and name is INCONSISTENT_GROUP_PROTOCOL.
 */
public final class SyncGroupHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public SyncGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        SyncGroupRequest sync = request.body(SyncGroupRequest.class);
        if (!sync.areMandatoryProtocolTypeAndNamePresent()) {
            return CompletableFuture.completedFuture(sync.getErrorResponse(
                new InconsistentGroupProtocolException("SyncGroup v5+ needs the protocol type and name")));
        }
        return GroupResponses.answer(request,
            coordinator.syncGroup(request.context(), sync.data(), BufferSupplier.NO_CACHING), SyncGroupResponse::new);
    }
}
