package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/** ConsumerGroupDescribe (KIP-848): members, their assignments and the group's epochs. */
public final class ConsumerGroupDescribeHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public ConsumerGroupDescribeHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ConsumerGroupDescribeRequest describe = request.body(ConsumerGroupDescribeRequest.class);
        boolean includeOperations = describe.data().includeAuthorizedOperations();
        return GroupResponses.answer(request,
            coordinator.consumerGroupDescribe(request.context(), describe.data().groupIds()), groups -> {
                if (includeOperations) {
                    groups.stream().filter(group -> group.errorCode() == Errors.NONE.code())
                        .forEach(group -> group.setAuthorizedOperations(GroupResponses.GROUP_OPERATIONS));
                }
                return new ConsumerGroupDescribeResponse(new ConsumerGroupDescribeResponseData().setGroups(groups));
            });
    }
}
