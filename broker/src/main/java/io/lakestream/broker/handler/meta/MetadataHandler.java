package io.lakestream.broker.handler.meta;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.BrokerEndpoint;
import io.lakestream.broker.cluster.ClusterView.PartitionView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata, answered from the broker's local {@link ClusterView} with no controller round
 * trip. Each partition has one replica, its leader, which is also the whole ISR. An unknown
 * topic is created when both the request and {@code auto.create.topics.enable} allow it, and
 * answered UNKNOWN_TOPIC_OR_PARTITION meanwhile, as Kafka 4 does (clients retry it). A
 * missing topic is still flagged internal if its name is an internal topic's; an internal topic
 * is auto-created by its coordinator, with that topic's own partition count and configs.
 */
public final class MetadataHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataHandler.class);

    private final ClusterViewHolder views;
    private final ClusterAdmin admin;
    private final boolean autoCreateTopics;
    private final int defaultPartitions;
    private final int thisNodeId;
    /** How each internal topic this broker can serve is created (by its coordinator, with its own settings). */
    private final Map<String, Runnable> internalTopicCreators;

    /**
     * @param internalTopicCreators by internal topic name, what creates it when auto-creation is
     *     allowed (as Kafka creates {@code __consumer_offsets} for a Metadata request); an internal
     *     topic not named here is never auto-created
     */
    public MetadataHandler(ClusterViewHolder views, ClusterAdmin admin, boolean autoCreateTopics,
                           int defaultPartitions, int thisNodeId, Map<String, Runnable> internalTopicCreators) {
        this.views = views;
        this.admin = admin;
        this.autoCreateTopics = autoCreateTopics;
        this.defaultPartitions = defaultPartitions;
        this.thisNodeId = thisNodeId;
        this.internalTopicCreators = Map.copyOf(internalTopicCreators);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        MetadataRequest metadata = request.body(MetadataRequest.class);
        ClusterView view = views.current();
        MetadataResponseData data = new MetadataResponseData()
            .setClusterId(view.clusterId())
            .setControllerId(view.controllerId(thisNodeId));
        for (BrokerEndpoint broker : view.liveBrokers()) {
            data.brokers().add(new MetadataResponseBroker().setNodeId(broker.nodeId()).setHost(broker.host())
                .setPort(broker.port()).setRack(broker.rack()));
        }
        if (metadata.isAllTopics()) {
            view.topics().forEach(topic -> data.topics().add(describe(topic)));
        } else {
            for (MetadataRequestTopic requested : metadata.data().topics()) {
                data.topics().add(requested.topicId() != null && !requested.topicId().equals(Uuid.ZERO_UUID)
                    ? byId(view, requested.topicId())
                    : byName(view, requested.name(), metadata.allowAutoTopicCreation()));
            }
        }
        return CompletableFuture.completedFuture(new MetadataResponse(data, request.apiVersion()));
    }

    private MetadataResponseTopic byId(ClusterView view, Uuid topicId) {
        Optional<TopicView> topic = view.topic(topicId);
        return topic.map(this::describe).orElseGet(() -> new MetadataResponseTopic()
            .setName(null)
            .setTopicId(topicId)
            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
    }

    private MetadataResponseTopic byName(ClusterView view, String name, boolean allowAutoCreate) {
        Optional<TopicView> topic = view.topic(name);
        if (topic.isPresent()) {
            return describe(topic.get());
        }
        MetadataResponseTopic missing = new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
            .setIsInternal(Topic.isInternal(name));
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return missing.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (!allowAutoCreate || !autoCreateTopics) {
            return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (Topic.isInternal(name)) {
            Runnable creator = internalTopicCreators.get(name);
            if (creator != null) {
                creator.run();
            }
            return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        admin.createTopic(name, defaultPartitions, Map.of()).whenComplete((id, error) -> {
            if (error != null && !(error.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                LOG.info("Auto-creating topic {} failed: {}", name, error.toString());
            }
        });
        return missing.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }

    private MetadataResponseTopic describe(TopicView topic) {
        MetadataResponseTopic response = new MetadataResponseTopic()
            .setName(topic.name())
            .setTopicId(topic.id())
            .setIsInternal(Topic.isInternal(topic.name()))
            .setErrorCode(Errors.NONE.code());
        for (PartitionView partition : topic.partitions()) {
            List<Integer> replicas = partition.leader() < 0 ? List.of() : List.of(partition.leader());
            response.partitions().add(new MetadataResponsePartition()
                .setPartitionIndex(partition.partition())
                .setErrorCode((partition.leader() < 0 ? Errors.LEADER_NOT_AVAILABLE : Errors.NONE).code())
                .setLeaderId(partition.leader())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(replicas)
                .setIsrNodes(replicas)
                .setOfflineReplicas(List.of()));
        }
        return response;
    }
}
