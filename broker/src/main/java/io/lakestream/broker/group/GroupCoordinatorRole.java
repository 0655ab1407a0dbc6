package io.lakestream.broker.group;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.cluster.InternalTopicCreator;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.partition.LeadershipListener;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionManager;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.group.GroupConfigManager;
import org.apache.kafka.coordinator.group.GroupCoordinator;
import org.apache.kafka.coordinator.group.GroupCoordinatorConfig;
import org.apache.kafka.coordinator.group.GroupCoordinatorRecordSerde;
import org.apache.kafka.coordinator.group.GroupCoordinatorService;
import org.apache.kafka.coordinator.group.metrics.GroupCoordinatorMetrics;
import org.apache.kafka.coordinator.group.metrics.GroupCoordinatorRuntimeMetrics;
import org.apache.kafka.server.share.persister.NoOpStatePersister;
import org.apache.kafka.server.util.timer.SystemTimer;
import org.apache.kafka.server.util.timer.SystemTimerReaper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group coordinator role of this broker: Apache Kafka's own {@link GroupCoordinatorService}
 * on its coordinator runtime, with its state in the {@code __consumer_offsets} partitions this
 * broker leads, as Kafka's {@code BrokerServer} wires it. It creates the topic on first start,
 * loads a partition's groups when this broker starts leading it and unloads them when it stops
 * ({@link LeadershipListener}), and passes topic changes on to the coordinator.
 *
 * <p>Threads: {@link #start} and {@link #close} from the server's start and stop; leadership
 * changes and cluster views arrive on the threads that make them, and are only scheduled here:
 * the runtime's own threads do the work.
 */
public final class GroupCoordinatorRole implements LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinatorRole.class);

    private final BrokerConfig config;
    private final PartitionManager partitions;
    private final ClusterViewHolder views;
    private final Metrics metrics = new Metrics();
    private final GroupCoordinatorService service;
    private final CoordinatorMetadata metadata = new CoordinatorMetadata();
    private final InternalTopicCreator topicCreator;
    private volatile boolean active;

    public GroupCoordinatorRole(BrokerConfig config, PartitionManager partitions, ClusterViewHolder views,
                                ClusterAdmin admin, Time time) {
        this.config = config;
        this.partitions = partitions;
        this.views = views;
        this.topicCreator = new InternalTopicCreator(Topic.GROUP_METADATA_TOPIC_NAME,
            config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS), views, admin);
        GroupCoordinatorConfig groupConfig = config.groupCoordinatorConfig();
        this.service = new GroupCoordinatorService.Builder(config.nodeId(), groupConfig)
            .withTime(time)
            .withTimer(new SystemTimerReaper("group-coordinator-reaper", new SystemTimer("group-coordinator")))
            .withWriter(new OffsetsTopicWriter(partitions))
            .withLoader(new OffsetsTopicLoader(partitions, new GroupCoordinatorRecordSerde(),
                groupConfig.offsetsLoadBufferSize(), time))
            .withCoordinatorRuntimeMetrics(new GroupCoordinatorRuntimeMetrics(metrics))
            .withGroupCoordinatorMetrics(new GroupCoordinatorMetrics())
            .withGroupConfigManager(new GroupConfigManager(groupConfig, config.shareGroupConfig()))
            .withPersister(new NoOpStatePersister())
            .withAuthorizerPlugin(Optional.empty())
            .withPartitionMetadataClient(new LocalPartitionOffsets(partitions))
            .build();
    }

    /**
     * Starts the coordinator with the partition count of {@code __consumer_offsets} (or, until
     * the topic exists, offsets.topic.num.partitions, which it will be created with) and loads
     * the partitions led here. As in Kafka, the topic itself is created when a client first
     * looks for a group coordinator ({@link #createOffsetsTopic}).
     */
    public CompletableFuture<Void> start() {
        String name = Topic.GROUP_METADATA_TOPIC_NAME;
        int partitionCount = views.current().topic(name).map(topic -> topic.partitions().size())
            .orElse(config.getInt(BrokerConfig.OFFSETS_TOPIC_NUM_PARTITIONS));
        service.startup(() -> partitionCount);
        active = true;
        views.addListener(this::onView);
        onView(views.current());
        partitions.addLeadershipListener(this);
        LOG.info("Group coordinator started on {} partitions of {}", partitionCount, name);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Creates {@code __consumer_offsets} (offsets.topic.num.partitions partitions, compacted, as
     * Kafka creates it) unless it exists or its creation is under way; FindCoordinator calls it
     * when the topic is missing and answers COORDINATOR_NOT_AVAILABLE meanwhile, as Kafka does.
     */
    public void createOffsetsTopic() {
        topicCreator.createIfMissing();
    }

    /** Kafka's group coordinator, for the request handlers. */
    public GroupCoordinator coordinator() {
        return service;
    }

    /** Passes new, grown and deleted topics on to the coordinator; called on the view publisher's thread. */
    private synchronized void onView(ClusterView view) {
        if (!active) {
            return;
        }
        metadata.update(view).ifPresent(update -> service.onMetadataUpdate(update.delta(), update.image()));
    }

    @Override
    public void onLeading(PartitionLog log) {
        if (active && isOffsetsTopic(log)) {
            service.onElection(log.topicPartition().partition(), log.leaderEpoch());
        }
    }

    /**
     * Unloads whatever epoch is loaded: the log is closing, so nothing of it can be served here
     * any more, and a later leadership (even of the same epoch, after a failed stream is
     * reopened) loads afresh.
     */
    @Override
    public void onResigning(PartitionLog log) {
        if (active && isOffsetsTopic(log)) {
            service.onResignation(log.topicPartition().partition(), OptionalInt.empty());
        }
    }

    private static boolean isOffsetsTopic(PartitionLog log) {
        return log.topicPartition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME);
    }

    /** Stops the coordinator (its runtime, loader and timers); the partitions close after it. */
    @Override
    public void close() {
        if (active) {
            active = false;
            service.shutdown();
        }
        metrics.close();
    }
}
