package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.cluster.InternalTopicCreator;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.partition.LeadershipListener;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionManager;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.group.GroupCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator role of this broker, wired as Kafka's {@code BrokerServer} wires
 * its {@code TransactionCoordinator}: {@code __transaction_state} is created when a client
 * first looks for a transaction coordinator; a partition of it that this broker starts leading
 * is loaded (and its prepared transactions finished), one it stops leading is unloaded; timed
 * out transactions are aborted every
 * transaction.abort.timed.out.transaction.cleanup.interval.ms and idle transactional ids
 * expired every transaction.remove.expired.transaction.cleanup.interval.ms.
 *
 * <p>Threads: {@link #start} and {@link #close} from the server's start and stop; leadership
 * changes arrive on the partition manager's threads and only start work; the checks run on the
 * server's timer.
 */
public final class TransactionCoordinatorRole implements LeadershipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinatorRole.class);

    private final BrokerConfig config;
    private final PartitionManager partitions;
    private final ClusterViewHolder views;
    private final ScheduledExecutorService timer;
    private final TransactionStateLog stateLog;
    private final TransactionCoordinator coordinator;
    private final InternalTopicCreator topicCreator;
    private final TransactionMarkerWriter markers;
    private final ProducerIdAllocator producerIds;
    private final List<ScheduledFuture<?>> checks = new ArrayList<>();
    private volatile boolean active;

    public TransactionCoordinatorRole(BrokerConfig config, PartitionManager partitions, ClusterViewHolder views,
                                      ClusterAdmin admin, ProducerIdAllocator producerIds, GroupCoordinator groups,
                                      ScheduledExecutorService timer, Time time, MeterRegistry registry) {
        this.config = config;
        this.partitions = partitions;
        this.views = views;
        this.timer = timer;
        this.producerIds = producerIds;
        int configuredPartitions = config.getInt(BrokerConfig.TRANSACTION_STATE_LOG_NUM_PARTITIONS);
        this.topicCreator = new InternalTopicCreator(Topic.TRANSACTION_STATE_TOPIC_NAME, configuredPartitions,
            views, admin);
        this.stateLog = new TransactionStateLog(configuredPartitions,
            config.getInt(BrokerConfig.TRANSACTION_STATE_LOG_LOAD_BUFFER_SIZE), time);
        this.markers = new TransactionMarkerWriter(partitions, groups, views, timer, config.nodeId(), time, registry);
        this.coordinator = new TransactionCoordinator(stateLog, producerIds, markers, timer,
            config.getInt(BrokerConfig.TRANSACTION_MAX_TIMEOUT_MS), config.getInt(BrokerConfig.TRANSACTIONAL_ID_EXPIRATION_MS),
            time, registry);
    }

    /**
     * Takes the partition count of {@code __transaction_state} from the cluster (or, until it
     * exists, the configured count it will be created with), loads the partitions led here and
     * starts the periodic checks.
     */
    public void start() {
        views.current().topic(Topic.TRANSACTION_STATE_TOPIC_NAME)
            .ifPresent(topic -> stateLog.partitionCount(topic.partitions().size()));
        active = true;
        partitions.addLeadershipListener(this);
        long abortMillis = config.getInt(BrokerConfig.TRANSACTION_ABORT_INTERVAL_MS);
        checks.add(timer.scheduleWithFixedDelay(coordinator::abortTimedOutTransactions, abortMillis, abortMillis,
            TimeUnit.MILLISECONDS));
        long expireMillis = config.getInt(BrokerConfig.TRANSACTION_EXPIRE_INTERVAL_MS);
        checks.add(timer.scheduleWithFixedDelay(coordinator::expireTransactionalIds, expireMillis, expireMillis,
            TimeUnit.MILLISECONDS));
        LOG.info("Transaction coordinator started");
    }

    /** Starts creating {@code __transaction_state} unless it exists; FindCoordinator calls it. */
    public void createStateTopic() {
        topicCreator.createIfMissing();
    }

    public TransactionCoordinator coordinator() {
        return coordinator;
    }

    /** Writes transaction markers to the partitions led here, for WriteTxnMarkers from other coordinators. */
    public TransactionMarkerWriter markers() {
        return markers;
    }

    /** The producer ids of this broker, for idempotent producers too. */
    public ProducerIdAllocator producerIds() {
        return producerIds;
    }

    @Override
    public void onLeading(PartitionLog log) {
        if (active && isStateTopic(log)) {
            views.current().topic(Topic.TRANSACTION_STATE_TOPIC_NAME)
                .ifPresent(topic -> stateLog.partitionCount(topic.partitions().size()));
            stateLog.load(log).thenAccept(shard -> shard.ifPresent(coordinator::resumeCompletions));
        }
    }

    @Override
    public void onResigning(PartitionLog log) {
        if (active && isStateTopic(log)) {
            stateLog.unload(log.topicPartition().partition());
        }
    }

    private static boolean isStateTopic(PartitionLog log) {
        return log.topicPartition().topic().equals(Topic.TRANSACTION_STATE_TOPIC_NAME);
    }

    @Override
    public void close() {
        active = false;
        checks.forEach(check -> check.cancel(false));
        try {
            markers.close();
        } finally {
            stateLog.close();
        }
    }
}
