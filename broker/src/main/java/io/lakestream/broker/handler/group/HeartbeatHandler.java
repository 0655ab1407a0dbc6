package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/** Heartbeat (classic protocol): keeps a member's session alive and tells it when to rejoin. */
public final class HeartbeatHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public HeartbeatHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        HeartbeatRequest heartbeat = request.body(HeartbeatRequest.class);
        return GroupResponses.answer(request, coordinator.heartbeat(request.context(), heartbeat.data()),
            HeartbeatResponse::new);
    }
}
