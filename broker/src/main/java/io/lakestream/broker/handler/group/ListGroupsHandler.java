package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * ListGroups: the groups of the {@code __consumer_offsets} partitions this broker leads, with
 * the state and type filters of v4+. Clients ask every broker and merge the answers.
 */
public final class ListGroupsHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public ListGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ListGroupsRequest list = request.body(ListGroupsRequest.class);
        return GroupResponses.answer(request, coordinator.listGroups(request.context(), list.data()),
            ListGroupsResponse::new);
    }
}
