package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * ConsumerGroupHeartbeat (KIP-848, group.protocol=consumer): joins, heartbeats and leaves in
 * one API; the coordinator computes assignments on the broker. Registered only when
 * group.coordinator.rebalance.protocols includes 'consumer'.
 */
public final class ConsumerGroupHeartbeatHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ConsumerGroupHeartbeatRequest heartbeat = request.body(ConsumerGroupHeartbeatRequest.class);
        return GroupResponses.answer(request, coordinator.consumerGroupHeartbeat(request.context(), heartbeat.data()),
            ConsumerGroupHeartbeatResponse::new);
    }
}
