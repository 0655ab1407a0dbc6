package io.lakestream.broker.handler.group;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.utils.Utils;

/** What the group handlers share: turning the coordinator's answer, or its failure, into a response. */
final class GroupResponses {
    /**
     * The operations on a group that a client is told it may perform when it asks
     * (includeAuthorizedOperations): all of them, as Kafka answers without an authorizer.
     */
    static final int GROUP_OPERATIONS = Utils.to32BitField(Set.of(AclOperation.READ.code(),
        AclOperation.DESCRIBE.code(), AclOperation.DELETE.code(), AclOperation.DESCRIBE_CONFIGS.code(),
        AclOperation.ALTER_CONFIGS.code()));

    private GroupResponses() {}

    /**
     * {@code answer} of the coordinator's result, or the request's own error response for its
     * failure (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, ..., which clients retry).
     */
    static <T> CompletableFuture<AbstractResponse> answer(KafkaRequest request, CompletableFuture<T> result,
                                                          Function<T, AbstractResponse> answer) {
        return result.handle((value, error) -> error != null
            ? request.body().getErrorResponse(Failures.cause(error))
            : answer.apply(value));
    }
}
