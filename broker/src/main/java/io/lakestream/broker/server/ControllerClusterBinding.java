package io.lakestream.broker.server;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.PartitionAssignment;
import io.lakestream.broker.partition.PartitionManager;
import io.lakestream.broker.partition.TopicDirectory;
import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicConfigValidation;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.image.ClusterImage;
import io.lakestream.controller.image.ClusterImageFollower;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's membership of the cluster, through the controller: registers with a new
 * incarnation id, heartbeats, follows the controller's metadata with a
 * {@link ClusterImageFollower}, publishes each new image to the request handlers, hands the
 * partitions assigned here to the {@link PartitionManager} (and drops the {@link TopicMetrics} of
 * deleted topics), and forwards the admin changes of {@link ClusterAdmin}.
 *
 * <p>Threads: the heartbeat runs on the timer thread; images arrive on the follower's thread,
 * one at a time; the admin calls come from any thread.
 */
final class ControllerClusterBinding implements ClusterAdmin, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerClusterBinding.class);
    private static final long HEARTBEAT_MILLIS = 2_000;

    private final BrokerConfig config;
    private final TopicConfigValidation topicConfigs;
    private final ControllerClient controller;
    private final ClusterViewHolder views;
    private final PartitionManager partitions;
    private final TopicMetrics topicMetrics;
    private final ScheduledExecutorService timer;
    private final ClusterImageFollower follower;
    private final Uuid incarnationId = Uuid.randomUuid();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final CompletableFuture<Void> ownRegistrationSeen = new CompletableFuture<>();
    private volatile long brokerEpoch = -1;
    private volatile boolean fenced = true;

    ControllerClusterBinding(BrokerConfig config, ControllerClient controller, ClusterViewHolder views,
                             PartitionManager partitions, TopicMetrics topicMetrics, ScheduledExecutorService timer,
                             MeterRegistry registry) {
        this.config = config;
        this.topicConfigs = new TopicConfigValidation(config.lakestreamTopicConfigs());
        this.controller = controller;
        this.views = views;
        this.partitions = partitions;
        this.topicMetrics = topicMetrics;
        this.timer = timer;
        this.follower = new ClusterImageFollower(controller);
        follower.addListener((oldImage, newImage) -> onImage(newImage));
        Gauge.builder("lakestream.broker.metadata.offset", follower, f -> f.image().offset())
            .description("The controller metadata offset this broker's image reflects")
            .register(registry);
    }

    static ClusterView emptyView(BrokerConfig config) {
        return new ImageClusterView(config.getString(BrokerConfig.CLUSTER_ID), config.listener().name(),
            ClusterImage.EMPTY);
    }

    /**
     * Registers, heartbeats once, and starts following the metadata; completes when the image
     * holds this registration, so the broker serves with itself among the live brokers.
     */
    CompletableFuture<Void> start() {
        BrokerConfig.Listener advertised = config.advertisedListener();
        List<BrokerListener> listeners = List.of(new BrokerListener(advertised.name(), advertised.host(),
            advertised.port() == 0 ? config.listener().port() : advertised.port()));
        return call(new ControllerCommand.RegisterBroker(config.nodeId(), incarnationId, listeners, null))
            .thenCompose(epoch -> {
                brokerEpoch = epoch;
                return heartbeat();
            })
            .thenCompose(ignored -> {
                synchronized (tasks) {
                    tasks.add(timer.scheduleWithFixedDelay(this::heartbeatQuietly, HEARTBEAT_MILLIS, HEARTBEAT_MILLIS,
                        TimeUnit.MILLISECONDS));
                }
                follower.start();
                return ownRegistrationSeen;
            });
    }

    private CompletableFuture<Void> heartbeat() {
        return call(new ControllerCommand.BrokerHeartbeat(config.nodeId(), brokerEpoch, false))
            .thenAccept(this::onHeartbeat);
    }

    private void onHeartbeat(HeartbeatResult result) {
        if (result.fenced() != fenced) {
            LOG.info("Broker {} is {} by the controller", config.nodeId(), result.fenced() ? "fenced" : "unfenced");
        }
        fenced = result.fenced();
    }

    private void heartbeatQuietly() {
        try {
            heartbeat().get(HEARTBEAT_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("Heartbeat to the controller failed; retrying: {}", e.toString());
        }
    }

    private void onImage(ClusterImage image) {
        // Partitions first: once a view shows a topic config, the open logs already enforce it,
        // so an admin request that waits for the view answers only when the change is in force.
        partitions.update(directory(image), assignedHere(image));
        views.publish(new ImageClusterView(config.getString(BrokerConfig.CLUSTER_ID), config.listener().name(),
            image));
        topicMetrics.retainTopics(topic -> image.topic(topic) != null);
        BrokerRegistration self = image.broker(config.nodeId());
        if (self != null && self.brokerEpoch() >= brokerEpoch && brokerEpoch >= 0) {
            ownRegistrationSeen.complete(null);
        }
    }

    private List<PartitionAssignment> assignedHere(ClusterImage current) {
        List<PartitionAssignment> assigned = new ArrayList<>();
        for (TopicDescription topic : current.topics()) {
            LogConfig logConfig = null;
            for (PartitionState partition : topic.partitions()) {
                if (partition.leader() != config.nodeId()) {
                    continue;
                }
                if (logConfig == null) {
                    logConfig = config.topicConfig(topic.configs());
                }
                assigned.add(new PartitionAssignment(topic.topicId(),
                    new TopicPartition(topic.name(), partition.partition()), partition.streamId(),
                    partition.leaderEpoch(), logConfig));
            }
        }
        return assigned;
    }

    private static TopicDirectory directory(ClusterImage current) {
        Map<Uuid, String> names = current.topics().stream()
            .collect(Collectors.toUnmodifiableMap(TopicDescription::topicId, TopicDescription::name));
        return new TopicDirectory() {
            @Override
            public Map<Uuid, String> topicNames() {
                return names;
            }

            @Override
            public Uuid topicId(String topicName) {
                TopicDescription topic = current.topic(topicName);
                return topic == null ? Uuid.ZERO_UUID : topic.topicId();
            }

            @Override
            public int partitionCount(String topicName) {
                TopicDescription topic = current.topic(topicName);
                return topic == null ? -1 : topic.partitions().size();
            }
        };
    }

    @Override
    public CompletableFuture<Uuid> createTopic(String name, int partitionCount, Map<String, String> configs) {
        return call(new ControllerCommand.CreateTopic(name, Uuid.randomUuid(), partitionCount, (short) 1, configs))
            .thenApply(TopicDescription::topicId);
    }

    @Override
    public CompletableFuture<Void> validateTopicConfigs(String name, Map<String, String> configs) {
        try {
            topicConfigs.validate(name, configs);
            return CompletableFuture.completedFuture(null);
        } catch (ClusterMetadataException refused) {
            return CompletableFuture.failedFuture(refused.error().exception(refused.detail()));
        }
    }

    @Override
    public CompletableFuture<Void> deleteTopic(String name) {
        return call(ControllerCommand.DeleteTopic.byName(name)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Void> createPartitions(String topic, int totalCount) {
        return call(new ControllerCommand.CreatePartitions(topic, totalCount)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Void> alterTopicConfigs(String topic, Map<String, String> changes, boolean validateOnly) {
        List<ConfigOp> ops = new ArrayList<>();
        changes.forEach((key, value) -> ops.add(value == null ? ConfigOp.delete(key) : ConfigOp.set(key, value)));
        return call(new ControllerCommand.AlterTopicConfigs(topic, ops, validateOnly)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<ProducerIdBlock> allocateProducerIds() {
        return call(new ControllerCommand.AllocateProducerIds(config.nodeId(), brokerEpoch))
            .thenApply(block -> new ProducerIdBlock(block.firstId(), block.size()));
    }

    /** A controller command whose refusal fails the future with the Kafka error it carries. */
    private <R> CompletableFuture<R> call(ControllerCommand<R> command) {
        return controller.execute(command).exceptionally(error -> {
            Throwable cause = Failures.cause(error);
            if (cause instanceof ClusterMetadataException refused) {
                throw refused.error().exception(refused.detail());
            }
            throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
        });
    }

    /** Stops following the controller and tells it this broker is shutting down. */
    @Override
    public void close() {
        follower.close();
        synchronized (tasks) {
            tasks.forEach(task -> task.cancel(false));
            tasks.clear();
        }
        if (brokerEpoch >= 0) {
            try {
                call(new ControllerCommand.BrokerHeartbeat(config.nodeId(), brokerEpoch, true)).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.info("Controlled shutdown request failed: {}", e.toString());
            }
        }
    }
}
