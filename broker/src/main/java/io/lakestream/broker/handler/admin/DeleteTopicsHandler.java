package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicDeletionDisabledException;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics by name or id through the controller; the topic's streams are deleted and
 * their objects become garbage. Waits, up to the request's timeout, until this broker's
 * metadata no longer shows the topic.
 */
public final class DeleteTopicsHandler implements RequestHandler {
    private final ClusterAdmin admin;
    private final ClusterViewHolder views;
    private final boolean enabled;

    public DeleteTopicsHandler(ClusterAdmin admin, ClusterViewHolder views, boolean enabled) {
        this.admin = admin;
        this.views = views;
        this.enabled = enabled;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DeleteTopicsRequest delete = request.body(DeleteTopicsRequest.class);
        DeleteTopicsResponseData data = new DeleteTopicsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        ClusterView view = views.current();
        for (DeleteTopicState state : delete.topics()) {
            DeletableTopicResult result = new DeletableTopicResult()
                .setName(state.name())
                .setTopicId(state.topicId() == null ? Uuid.ZERO_UUID : state.topicId())
                .setErrorCode(Errors.NONE.code());
            data.responses().add(result);
            Optional<TopicView> topic = state.name() != null ? view.topic(state.name()) : view.topic(state.topicId());
            if (!enabled) {
                setError(result, new TopicDeletionDisabledException("Topic deletion is disabled (delete.topic.enable)"));
                continue;
            }
            if (topic.isEmpty()) {
                result.setErrorCode((state.name() != null ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.UNKNOWN_TOPIC_ID)
                    .code());
                continue;
            }
            String name = topic.get().name();
            result.setName(name).setTopicId(topic.get().id());
            pending.add(admin.deleteTopic(name)
                .thenCompose(ignored -> views.await(v -> v.topic(name).isEmpty(), delete.data().timeoutMs()))
                .handle((ignored, error) -> {
                    if (error != null) {
                        setError(result, error);
                    }
                    return null;
                }));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new DeleteTopicsResponse(data));
    }

    private static void setError(DeletableTopicResult result, Throwable error) {
        result.setErrorCode(AdminErrors.code(error).code()).setErrorMessage(AdminErrors.message(error));
    }
}
