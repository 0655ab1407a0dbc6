package io.lakestream.broker.server;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.group.GroupCoordinatorRole;
import io.lakestream.broker.handler.admin.AlterConfigsHandler;
import io.lakestream.broker.handler.admin.CreatePartitionsHandler;
import io.lakestream.broker.handler.admin.CreateTopicsHandler;
import io.lakestream.broker.handler.admin.DeleteRecordsHandler;
import io.lakestream.broker.handler.admin.DeleteTopicsHandler;
import io.lakestream.broker.handler.admin.DescribeClusterHandler;
import io.lakestream.broker.handler.admin.DescribeConfigsHandler;
import io.lakestream.broker.handler.admin.DescribeLogDirsHandler;
import io.lakestream.broker.handler.admin.DescribeProducersHandler;
import io.lakestream.broker.handler.admin.IncrementalAlterConfigsHandler;
import io.lakestream.broker.handler.admin.InitProducerIdHandler;
import io.lakestream.broker.handler.fetch.FetchHandler;
import io.lakestream.broker.handler.fetch.FetchSessions;
import io.lakestream.broker.handler.group.ConsumerGroupDescribeHandler;
import io.lakestream.broker.handler.group.ConsumerGroupHeartbeatHandler;
import io.lakestream.broker.handler.group.DeleteGroupsHandler;
import io.lakestream.broker.handler.group.DescribeGroupsHandler;
import io.lakestream.broker.handler.group.FindCoordinatorHandler;
import io.lakestream.broker.handler.group.HeartbeatHandler;
import io.lakestream.broker.handler.group.JoinGroupHandler;
import io.lakestream.broker.handler.group.LeaveGroupHandler;
import io.lakestream.broker.handler.group.ListGroupsHandler;
import io.lakestream.broker.handler.group.OffsetCommitHandler;
import io.lakestream.broker.handler.group.OffsetDeleteHandler;
import io.lakestream.broker.handler.group.OffsetFetchHandler;
import io.lakestream.broker.handler.group.SyncGroupHandler;
import io.lakestream.broker.handler.meta.ApiVersionsHandler;
import io.lakestream.broker.handler.meta.MetadataHandler;
import io.lakestream.broker.handler.offsets.ListOffsetsHandler;
import io.lakestream.broker.handler.offsets.OffsetForLeaderEpochHandler;
import io.lakestream.broker.handler.produce.ProduceHandler;
import io.lakestream.broker.handler.txn.AddOffsetsToTxnHandler;
import io.lakestream.broker.handler.txn.AddPartitionsToTxnHandler;
import io.lakestream.broker.handler.txn.DescribeTransactionsHandler;
import io.lakestream.broker.handler.txn.EndTxnHandler;
import io.lakestream.broker.handler.txn.ListTransactionsHandler;
import io.lakestream.broker.handler.txn.TxnOffsetCommitHandler;
import io.lakestream.broker.handler.txn.WriteTxnMarkersHandler;
import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.ApiRouter;
import io.lakestream.broker.network.KafkaNetworkServer;
import io.lakestream.broker.network.NetworkConfig;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.PartitionManager;
import io.lakestream.broker.transaction.TransactionCoordinator;
import io.lakestream.broker.transaction.TransactionCoordinatorRole;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * The Kafka-facing half of a node: the request handlers of every implemented API, routed by
 * an {@link ApiRouter} behind the {@link KafkaNetworkServer}. Storage, the controller and the
 * metadata view are built by {@link LakestreamServer} and handed in.
 */
final class BrokerServer implements AutoCloseable {
    /**
     * A fetch of more partitions is read on the request threads, even when a small incremental
     * request brought it to an event loop: about what a full fetch of 4 KiB names.
     */
    private static final int MAX_FETCH_PARTITIONS_READ_INLINE = 128;

    private final KafkaNetworkServer network;

    BrokerServer(BrokerConfig config, PartitionManager partitions, ClusterViewHolder views, ClusterAdmin admin,
                 GroupCoordinatorRole groupRole, TransactionCoordinatorRole txnRole, ExecutorService requestExecutor, ScheduledExecutorService timer,
                 TopicMetrics topicMetrics, MeterRegistry registry) {
        GroupCoordinator groups = groupRole.coordinator();
        TransactionCoordinator txns = txnRole.coordinator();
        Map<ApiKeys, RequestHandler> handlers = new EnumMap<>(ApiKeys.class);
        handlers.put(ApiKeys.METADATA, new MetadataHandler(views, admin,
            config.getBoolean(BrokerConfig.AUTO_CREATE_TOPICS_ENABLE), config.getInt(BrokerConfig.NUM_PARTITIONS),
            config.nodeId(), Map.of(Topic.GROUP_METADATA_TOPIC_NAME, groupRole::createOffsetsTopic,
                Topic.TRANSACTION_STATE_TOPIC_NAME, txnRole::createStateTopic)));
        handlers.put(ApiKeys.PRODUCE, new ProduceHandler(partitions, topicMetrics,
            config.getBoolean(BrokerConfig.TRANSACTION_PARTITION_VERIFICATION_ENABLE) ? txns : null));
        handlers.put(ApiKeys.FETCH, new FetchHandler(partitions, FetchSessions.create(
            config.getInt(BrokerConfig.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS), registry), timer, topicMetrics,
            requestExecutor, MAX_FETCH_PARTITIONS_READ_INLINE));
        handlers.put(ApiKeys.LIST_OFFSETS, new ListOffsetsHandler(partitions));
        handlers.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochHandler(partitions));
        handlers.put(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdHandler(txnRole.producerIds(), txns));
        handlers.put(ApiKeys.CREATE_TOPICS, new CreateTopicsHandler(admin, views, config));
        handlers.put(ApiKeys.DELETE_TOPICS, new DeleteTopicsHandler(admin, views,
            config.getBoolean(BrokerConfig.DELETE_TOPIC_ENABLE)));
        handlers.put(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsHandler(admin, views));
        handlers.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterHandler(views, config.nodeId()));
        handlers.put(ApiKeys.DELETE_RECORDS, new DeleteRecordsHandler(partitions));
        handlers.put(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsHandler(views, config));
        handlers.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsHandler(admin, views, config));
        handlers.put(ApiKeys.ALTER_CONFIGS, new AlterConfigsHandler(admin, views, config));
        handlers.put(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsHandler(partitions, config.dataDir()));
        handlers.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersHandler(partitions));
        handlers.put(ApiKeys.FIND_COORDINATOR, new FindCoordinatorHandler(views, Map.of(
            CoordinatorType.GROUP, new FindCoordinatorHandler.InternalTopic(Topic.GROUP_METADATA_TOPIC_NAME,
                groups::partitionFor, groupRole::createOffsetsTopic),
            CoordinatorType.TRANSACTION, new FindCoordinatorHandler.InternalTopic(Topic.TRANSACTION_STATE_TOPIC_NAME,
                txns::partitionFor, txnRole::createStateTopic))));
        handlers.put(ApiKeys.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnHandler(txns, views));
        handlers.put(ApiKeys.ADD_OFFSETS_TO_TXN, new AddOffsetsToTxnHandler(txns, groups));
        handlers.put(ApiKeys.END_TXN, new EndTxnHandler(txns));
        handlers.put(ApiKeys.TXN_OFFSET_COMMIT, new TxnOffsetCommitHandler(groups, views));
        handlers.put(ApiKeys.DESCRIBE_TRANSACTIONS, new DescribeTransactionsHandler(txns));
        handlers.put(ApiKeys.LIST_TRANSACTIONS, new ListTransactionsHandler(txns));
        handlers.put(ApiKeys.WRITE_TXN_MARKERS, new WriteTxnMarkersHandler(txnRole.markers()));
        handlers.put(ApiKeys.JOIN_GROUP, new JoinGroupHandler(groups));
        handlers.put(ApiKeys.SYNC_GROUP, new SyncGroupHandler(groups));
        handlers.put(ApiKeys.HEARTBEAT, new HeartbeatHandler(groups));
        handlers.put(ApiKeys.LEAVE_GROUP, new LeaveGroupHandler(groups));
        handlers.put(ApiKeys.OFFSET_COMMIT, new OffsetCommitHandler(groups, views));
        handlers.put(ApiKeys.OFFSET_FETCH, new OffsetFetchHandler(groups, views));
        handlers.put(ApiKeys.OFFSET_DELETE, new OffsetDeleteHandler(groups, views));
        handlers.put(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsHandler(groups));
        handlers.put(ApiKeys.LIST_GROUPS, new ListGroupsHandler(groups));
        handlers.put(ApiKeys.DELETE_GROUPS, new DeleteGroupsHandler(groups));
        if (config.consumerGroupProtocolEnabled()) {
            // Not advertised otherwise, so that clients with group.protocol=consumer fail at once, as with Kafka.
            handlers.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatHandler(groups));
            handlers.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, new ConsumerGroupDescribeHandler(groups));
        }
        // ApiVersions advertises every key of the map, itself included.
        java.util.Set<ApiKeys> implemented = java.util.EnumSet.copyOf(handlers.keySet());
        implemented.add(ApiKeys.API_VERSIONS);
        handlers.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(implemented));
        ApiRouter router = new ApiRouter(handlers, registry);
        BrokerConfig.Listener listener = config.listener();
        this.network = new KafkaNetworkServer(new NetworkConfig(listener.name(), listener.host(), listener.port(),
            config.getInt(BrokerConfig.NUM_NETWORK_THREADS), config.getInt(BrokerConfig.SOCKET_REQUEST_MAX_BYTES),
            config.getInt(BrokerConfig.MAX_INFLIGHT_REQUESTS), config.getInt(BrokerConfig.FETCH_REQUEST_INLINE_MAX_BYTES)),
            router, requestExecutor);
    }

    InetSocketAddress start() throws InterruptedException {
        return network.start();
    }

    @Override
    public void close() {
        network.close();
    }
}
