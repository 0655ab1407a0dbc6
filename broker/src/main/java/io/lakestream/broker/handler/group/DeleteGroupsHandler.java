package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/** DeleteGroups: deletes empty groups and their committed offsets; each group fails or succeeds on its own. */
public final class DeleteGroupsHandler implements RequestHandler {
    private final GroupCoordinator coordinator;

    public DeleteGroupsHandler(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        List<String> groups = request.body(DeleteGroupsRequest.class).data().groupsNames().stream().distinct().toList();
        return coordinator.deleteGroups(request.context(), groups, BufferSupplier.NO_CACHING)
            .handle((results, error) -> {
                DeleteGroupsResponseData response = new DeleteGroupsResponseData();
                if (error != null) {
                    short code = Errors.forException(Failures.cause(error)).code();
                    groups.forEach(group -> response.results().add(new DeletableGroupResult().setGroupId(group)
                        .setErrorCode(code)));
                } else {
                    response.setResults(results);
                }
                return new DeleteGroupsResponse(response);
            });
    }
}
