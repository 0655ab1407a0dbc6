package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/**
 * CreateTopics through the controller. The response waits (up to the request's timeout) until
 * this broker's metadata shows the topic with a leader for every partition, so a client can
 * produce to it right after. Replication factors other than 1 (or -1, the default) are
 * refused: durability comes from the write-ahead log and the object store, not replicas.
 * Manual replica assignments are refused too: the controller places every partition.
 *
 * <p>The answer is shaped as Apache Kafka's: a created (or validated) topic comes back with
 * its id, partition count, replication factor and every config in effect with its source; a
 * refused one with -1 for the counts and no configs; a name given twice in one request gets
 * one INVALID_REQUEST entry and nothing is created for it.
 */
public final class CreateTopicsHandler implements RequestHandler {
    private final ClusterAdmin admin;
    private final ClusterViewHolder views;
    private final int defaultPartitions;
    private final ConfigDescriber describer;

    public CreateTopicsHandler(ClusterAdmin admin, ClusterViewHolder views, BrokerConfig config) {
        this.admin = admin;
        this.views = views;
        this.defaultPartitions = config.getInt(BrokerConfig.NUM_PARTITIONS);
        this.describer = new ConfigDescriber(config);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        CreateTopicsRequest create = request.body(CreateTopicsRequest.class);
        CreateTopicsResponseData data = new CreateTopicsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        int timeoutMs = create.data().timeoutMs();
        Set<String> names = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreatableTopic topic : create.data().topics()) {
            if (!names.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        for (String duplicate : duplicates) {
            CreatableTopicResult result = new CreatableTopicResult().setName(duplicate);
            data.topics().add(result);
            setError(result, new InvalidRequestException("Duplicate topic name."));
        }
        for (CreatableTopic topic : create.data().topics()) {
            if (duplicates.contains(topic.name())) {
                continue;
            }
            int partitions = topic.numPartitions() == -1 ? defaultPartitions : topic.numPartitions();
            CreatableTopicResult result = new CreatableTopicResult().setName(topic.name());
            data.topics().add(result);
            RuntimeException invalid = validate(topic, partitions);
            if (invalid != null) {
                setError(result, invalid);
                continue;
            }
            Map<String, String> configs = new HashMap<>();
            for (CreatableTopicConfig config : topic.configs()) {
                if (config.value() == null) {
                    invalid = new InvalidConfigurationException("Null value not supported for topic configs: "
                        + config.name());
                }
                configs.put(config.name(), config.value());
            }
            if (invalid != null) {
                setError(result, invalid);
                continue;
            }
            if (create.data().validateOnly()) {
                pending.add(admin.validateTopicConfigs(topic.name(), configs).handle((ignored, error) -> {
                    // A dry run: the configs are checked; the topic must not exist yet. Kafka makes up an id too.
                    if (views.current().topic(topic.name()).isPresent()) {
                        setError(result, new TopicExistsException("Topic '" + topic.name() + "' already exists."));
                    } else if (error != null) {
                        setError(result, error);
                    } else {
                        setCreated(result, Uuid.randomUuid(), partitions, configs);
                    }
                    return null;
                }));
                continue;
            }
            pending.add(admin.createTopic(topic.name(), partitions, configs)
                .thenCompose(id -> views.await(view -> hasLeaders(view, topic.name()), timeoutMs)
                    .thenAccept(view -> setCreated(result, id, partitions, configs)))
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
            if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
                return new InvalidRequestException("Both numPartitions or replicationFactor and replicasAssignments "
                    + "were set. Both cannot be used at the same time.");
            }
            return new InvalidReplicaAssignmentException("Manual replica assignment is not supported: each "
                + "partition has one leader, placed by the controller.");
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

    /** As Kafka: the id, the counts, and every config of the topic with the value in effect and its source. */
    private void setCreated(CreatableTopicResult result, Uuid id, int partitions, Map<String, String> overrides) {
        result.setErrorCode(Errors.NONE.code()).setTopicId(id).setNumPartitions(partitions)
            .setReplicationFactor((short) 1);
        for (DescribeConfigsResourceResult entry : describer.topic(overrides, name -> true, false, false)) {
            result.configs().add(new CreatableTopicConfigs().setName(entry.name()).setValue(entry.value())
                .setReadOnly(entry.readOnly()).setConfigSource(entry.configSource())
                .setIsSensitive(entry.isSensitive()));
        }
    }

    /** As Kafka: a refused topic has no id, -1 for its counts and no configs. */
    private static void setError(CreatableTopicResult result, Throwable error) {
        result.setErrorCode(AdminErrors.code(error).code()).setErrorMessage(AdminErrors.message(error))
            .setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
        result.configs().clear();
    }
}
