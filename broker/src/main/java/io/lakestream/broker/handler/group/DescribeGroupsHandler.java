package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/** DescribeGroups: state, protocol and members of classic groups (and of consumer groups, as classic clients see them). */
public final class DescribeGroupsHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public DescribeGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DescribeGroupsRequest describe = request.body(DescribeGroupsRequest.class);
        boolean includeOperations = request.apiVersion() >= 3 && describe.data().includeAuthorizedOperations();
        return GroupResponses.answer(request, coordinator.describeGroups(request.context(), describe.data().groups()),
            groups -> {
                if (includeOperations) {
                    groups.stream().filter(group -> group.errorCode() == Errors.NONE.code())
                        .forEach(group -> group.setAuthorizedOperations(GroupResponses.GROUP_OPERATIONS));
                }
                return new DescribeGroupsResponse(new DescribeGroupsResponseData().setGroups(groups));
            });
    }
}
