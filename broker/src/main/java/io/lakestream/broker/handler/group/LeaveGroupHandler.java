package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * LeaveGroup (classic protocol): v0-2 name one member, v3+ a batch; the request is normalized
 * to the batch form for the coordinator and the answer shaped for the request's version.
 */
public final class LeaveGroupHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public LeaveGroupHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        LeaveGroupRequest leave = request.body(LeaveGroupRequest.class);
        return GroupResponses.answer(request, coordinator.leaveGroup(request.context(), leave.normalizedData()),
            data -> new LeaveGroupResponse(data.members(), Errors.forCode(data.errorCode()),
                AbstractResponse.DEFAULT_THROTTLE_TIME, request.apiVersion()));
    }
}
