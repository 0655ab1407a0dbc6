package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/** CreatePartitions: raises a topic's partition count through the controller; each new partition gets a stream. */
public final class CreatePartitionsHandler implements RequestHandler {
    private final ClusterAdmin admin;
    private final ClusterViewHolder views;

    public CreatePartitionsHandler(ClusterAdmin admin, ClusterViewHolder views) {
        this.admin = admin;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        CreatePartitionsRequest create = request.body(CreatePartitionsRequest.class);
        CreatePartitionsResponseData data = new CreatePartitionsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (CreatePartitionsTopic topic : create.data().topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name())
                .setErrorCode(Errors.NONE.code());
            data.results().add(result);
            Optional<TopicView> current = views.current().topic(topic.name());
            if (current.isEmpty()) {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("Topic '" + topic.name() + "' does not exist.");
                continue;
            }
            if (topic.assignments() != null && !topic.assignments().isEmpty()) {
                setError(result, new InvalidReplicaAssignmentException("Manual replica assignment is not supported"));
                continue;
            }
            int existing = current.get().partitions().size();
            if (topic.count() <= existing) {
                setError(result, new InvalidPartitionsException("Topic currently has " + existing
                    + " partitions, which is higher than or equal to the requested " + topic.count() + "."));
                continue;
            }
            if (create.data().validateOnly()) {
                continue;
            }
            pending.add(admin.createPartitions(topic.name(), topic.count())
                .thenCompose(ignored -> views.await(view -> view.topic(topic.name())
                    .map(t -> t.partitions().size() >= topic.count()).orElse(true), create.data().timeoutMs()))
                .handle((ignored, error) -> {
                    if (error != null) {
                        setError(result, error);
                    }
                    return null;
                }));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new CreatePartitionsResponse(data));
    }

    private static void setError(CreatePartitionsTopicResult result, Throwable error) {
        result.setErrorCode(AdminErrors.code(error).code()).setErrorMessage(AdminErrors.message(error));
    }
}
