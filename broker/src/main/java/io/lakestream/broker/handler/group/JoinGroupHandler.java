package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/** JoinGroup (classic protocol): answered by Kafka's group coordinator once the rebalance it joins completes. */
public final class JoinGroupHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public JoinGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        JoinGroupRequest join = request.body(JoinGroupRequest.class);
        return GroupResponses.answer(request,
            coordinator.joinGroup(request.context(), join.data(), BufferSupplier.NO_CACHING),
            data -> new JoinGroupResponse(data, request.apiVersion()));
    }
}
