package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics through the controller. The response waits (up to the request's timeout) until
 * this broker's metadata shows the topic with a leader for every partition, so a client can
 * produce to it right after. Replication factors other than 1 (or -1, the default) are
 * refused: durability comes from the write-ahead log and the object store, not replicas.
 */
public final class CreateTopicsHandler implements RequestHandler {
    private final ClusterAdmin admin;
    private final ClusterViewHolder views;
    private final int defaultPartitions;

    public CreateTopicsHandler(ClusterAdmin admin, ClusterViewHolder views, int defaultPartitions) {
        this.admin = admin;
        this.views = views;
        this.defaultPartitions = defaultPartitions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        CreateTopicsRequest create = request.body(CreateTopicsRequest.class);
        CreateTopicsResponseData data = new CreateTopicsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        int timeoutMs = create.data().timeoutMs();
        for (CreatableTopic topic : create.data().topics()) {
            int partitions = topic.numPartitions() == -1 ? defaultPartitions : topic.numPartitions();
            CreatableTopicResult result = new CreatableTopicResult()
                .setName(topic.name())
                .setTopicId(Uuid.ZERO_UUID)
                .setNumPartitions(partitions)
                .setReplicationFactor((short) 1)
                .setErrorCode(Errors.NONE.code());
            data.topics().add(result);
            RuntimeException invalid = validate(topic, partitions);
            if (invalid != null) {
                setError(result, invalid);
                continue;
            }
            Map<String, String> configs = new HashMap<>();
            for (CreatableTopicConfig config : topic.configs()) {
                configs.put(config.name(), config.value());
            }
            if (create.data().validateOnly()) {
                pending.add(admin.alterTopicConfigs(topic.name(), configs, true).handle((ignored, error) -> {
                    // A dry run: the configs are checked; the topic must not exist yet.
                    if (views.current().topic(topic.name()).isPresent()) {
                        setError(result, new TopicExistsException("Topic '" + topic.name() + "' already exists."));
                    } else if (error != null && !(AdminErrors.unwrap(error)
                        instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                        setError(result, error);
                    }
                    return null;
                }));
                continue;
            }
            pending.add(admin.createTopic(topic.name(), partitions, configs)
                .thenCompose(id -> views.await(view -> hasLeaders(view, topic.name()), timeoutMs)
                    .thenAccept(view -> result.setTopicId(id)))
                .exceptionally(error -> {
                    setError(result, error);
                    return null;
                }));
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new CreateTopicsResponse(data));
    }

    private static RuntimeException validate(CreatableTopic topic, int partitions) {
        try {
            Topic.validate(topic.name());
        } catch (InvalidTopicException e) {
            return e;
        }
        if (!topic.assignments().isEmpty()) {
            return new InvalidRequestException("Manual replica assignment is not supported: each partition "
                + "has one leader, chosen by the controller.");
        }
        if (topic.replicationFactor() != -1 && topic.replicationFactor() != 1) {
            return new InvalidReplicationFactorException("Replication factor must be 1 (or -1 for the default): "
                + "Lakestream keeps one copy in the object store, which replicates it; got "
                + topic.replicationFactor() + ".");
        }
        if (partitions <= 0) {
            return new org.apache.kafka.common.errors.InvalidPartitionsException(
                "Number of partitions must be larger than 0, got " + partitions + ".");
        }
        return null;
    }

    static boolean hasLeaders(ClusterView view, String topic) {
        return view.topic(topic).map(t -> !t.partitions().isEmpty()
            && t.partitions().stream().allMatch(p -> p.leader() >= 0)).orElse(false);
    }

    private static void setError(CreatableTopicResult result, Throwable error) {
        result.setErrorCode(AdminErrors.code(error).code()).setErrorMessage(AdminErrors.message(error));
    }
}
