package io.lakestream.broker.server;

import io.lakestream.broker.cleaner.LogCleaner;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.group.GroupCoordinatorRole;
import io.lakestream.broker.metrics.PrometheusEndpoint;
import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.partition.IndexSegmentStore;
import io.lakestream.broker.partition.PartitionLoader;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionManager;
import io.lakestream.broker.partition.RetentionEnforcer;
import io.lakestream.broker.table.ControllerRegistryLog;
import io.lakestream.broker.table.TableCatalogs;
import io.lakestream.broker.table.TableTopicBinding;
import io.lakestream.broker.transaction.ProducerIdAllocator;
import io.lakestream.broker.transaction.TransactionCoordinatorRole;
import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.client.ControllerRetry;
import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.raft.ControllerQuorum;
import io.lakestream.controller.raft.ControllerServer;
import io.lakestream.controller.raft.ControllerServerConfig;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.table.TableTopicService;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.registry.SchemaRegistry;
import io.lakestream.table.registry.SchemaRegistryServer;
import io.lakestream.table.rest.RestCatalogServer;
import io.lakestream.wal.WriteAheadLog;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.util.CommandLineUtils;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lakestream node: {@code lakestream-server.sh config/server.properties [--override k=v]...}.
 * Starts, in order, the embedded controller (if this node is a voter), the controller client,
 * the object store, the write-ahead log and stream store (which recovers what the log holds),
 * the broker's registration and metadata view, the partitions it leads, their retention, the
 * group and transaction coordinators, and the Kafka listener; stops in reverse order. A config error prints one line and exits with status 1.
 */
public final class LakestreamServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LakestreamServer.class);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private InetSocketAddress boundAddress;
    /** How often the table topic workers are brought in line with the partitions led here and their configs. */
    private static final long TABLE_REFRESH_MILLIS = 1_000;

    private PrometheusEndpoint metricsEndpoint;
    private RestCatalogServer restCatalog;
    private SchemaRegistryServer schemaRegistryServer;

    private LakestreamServer() {}

    public static void main(String[] args) {
        BrokerConfig config;
        try {
            config = new BrokerConfig(parseArgs(args));
        } catch (ConfigException | IllegalArgumentException | IOException | OptionException e) {
            System.err.println("lakestream: " + e.getMessage());
            System.exit(1);
            return;
        }
        LakestreamServer server;
        try {
            server = start(config);
        } catch (Exception e) {
            System.err.println("lakestream: cannot start: " + describe(e, config));
            LOG.debug("Start failed", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "lakestream-shutdown"));
    }

    /** The properties of the config file named first in {@code args}, with every {@code --override} applied. */
    static Properties parseArgs(String[] args) throws IOException {
        OptionParser parser = new OptionParser(false);
        OptionSpec<String> overrides = parser.accepts("override", "a config key=value that replaces the file's")
            .withRequiredArg().ofType(String.class);
        OptionSet options = parser.parse(args);
        List<?> positional = options.nonOptionArguments();
        if (positional.size() != 1) {
            throw new IllegalArgumentException("usage: lakestream-server.sh config/server.properties "
                + "[--override key=value]...");
        }
        Path file = Path.of(positional.get(0).toString());
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + file + " does not exist");
        }
        props.putAll(CommandLineUtils.parseKeyValueArgs(options.valuesOf(overrides)));
        return props;
    }

    private static String describe(Throwable error, BrokerConfig config) {
        Throwable cause = error;
        while (cause.getCause() != null && !(cause instanceof BindException)) {
            cause = cause.getCause();
        }
        if (cause instanceof BindException) {
            return "cannot listen on " + config.listener().host() + ":" + config.listener().port() + ": "
                + cause.getMessage();
        }
        return error.getMessage() != null ? error.getMessage() : error.toString();
    }

    /** Starts a node from {@code config}; for tests and {@link #main}. */
    public static LakestreamServer start(BrokerConfig config) throws Exception {
        LakestreamServer server = new LakestreamServer();
        try {
            server.startAll(config);
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    private void startAll(BrokerConfig config) throws Exception {
        Path dataDir = config.dataDir();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new ConfigException(BrokerConfig.LOG_DIR, dataDir.toString(), "cannot be created: " + e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new ConfigException(BrokerConfig.LOG_DIR, dataDir.toString(), "is not writable");
        }
        checkCachesFitTheHeap(config, Runtime.getRuntime().maxMemory());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        resources.push(registry::close);
        int metricsPort = config.getInt(BrokerConfig.METRICS_PORT);
        if (metricsPort >= 0) {
            metricsEndpoint = PrometheusEndpoint.start(config.getString(BrokerConfig.METRICS_HOST), metricsPort, registry);
            resources.push(metricsEndpoint);
        }

        ControllerQuorum quorum = quorum(config);
        if (config.runsController()) {
            ControllerServer controller = ControllerServer.start(
                ControllerServerConfig.of(String.valueOf(config.nodeId()), quorum, dataDir.resolve("controller"))
                    .withLakestreamTopicConfigs(config.lakestreamTopicConfigs())
                    .withMeterRegistry(registry));
            resources.push(controller);
            if (!config.runsBroker()) {
                // A dedicated controller, as Kafka's process.roles=controller: no broker, no object store.
                LOG.info("Lakestream node {} running the controller only, a voter of {}, data in {}{}",
                    config.nodeId(), config.controllerVoters(), dataDir, metricsSuffix());
                return;
            }
        }
        ControllerClient controllerClient = new ControllerClient(quorum, ControllerRetry.defaultPolicy(), registry);
        resources.push(controllerClient);

        ObjectStorage objects = StorageStack.objectStorage(config, registry);
        resources.push(objects);
        WriteAheadLog wal = StorageStack.writeAheadLog(config, objects, registry);
        StreamStore streams = StorageStack.streamStore(config, wal, objects,
            new ControllerStreamMetadata(controllerClient), registry);
        resources.push(streams);
        streams.start().get(5, TimeUnit.MINUTES);

        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("lakestream-timer", true));
        timer.setRemoveOnCancelPolicy(true);
        resources.push(timer::shutdownNow);
        ExecutorService requestExecutor = Executors.newFixedThreadPool(config.getInt(BrokerConfig.NUM_IO_THREADS),
            new DefaultThreadFactory("lakestream-request-handler", true));
        resources.push(requestExecutor::shutdownNow);

        PartitionManager partitions = new PartitionManager(streams, new PartitionLoader(
            dataDir.resolve("producer-state"),
            new ProducerStateManagerConfig(config.getInt(BrokerConfig.PRODUCER_ID_EXPIRATION_MS), false),
            900_000, new IndexSegmentStore(objects), Time.SYSTEM, new ValidationMetrics(registry)));
        resources.push(partitions);
        TopicMetrics topicMetrics = new TopicMetrics(registry);
        ClusterViewHolder views = new ClusterViewHolder(ControllerClusterBinding.emptyView(config), timer);
        ControllerClusterBinding cluster = new ControllerClusterBinding(config, controllerClient, views, partitions,
            topicMetrics, timer, registry);
        resources.push(cluster);
        cluster.start().get(2, TimeUnit.MINUTES);
        long checkpointMillis = config.getLong(BrokerConfig.LOG_INDEX_CHECKPOINT_INTERVAL_MS);
        timer.scheduleWithFixedDelay(() -> partitions.openLogs().forEach(PartitionLog::checkpointIndex),
            checkpointMillis, checkpointMillis, TimeUnit.MILLISECONDS);
        RetentionEnforcer retention = new RetentionEnforcer(partitions::openLogs, topicMetrics, Time.SYSTEM);
        resources.push(retention);
        retention.start(config.getLong(BrokerConfig.LOG_RETENTION_CHECK_INTERVAL_MS));
        if (config.getBoolean(BrokerConfig.LOG_CLEANER_ENABLE)) {
            LogCleaner cleaner = new LogCleaner(partitions::openLogs, streams,
                config.getLong(BrokerConfig.LOG_CLEANER_BACKOFF_MS),
                config.getInt(BrokerConfig.LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                config.getDouble(BrokerConfig.LOG_CLEANER_IO_BUFFER_LOAD_FACTOR), Time.SYSTEM, registry);
            resources.push(cleaner);
            cleaner.start();
        }

        GroupCoordinatorRole groups = new GroupCoordinatorRole(config, partitions, views, cluster, Time.SYSTEM);
        resources.push(groups);
        groups.start().get(2, TimeUnit.MINUTES);
        TransactionCoordinatorRole transactions = new TransactionCoordinatorRole(config, partitions, views, cluster,
            new ProducerIdAllocator(cluster), groups.coordinator(), timer, Time.SYSTEM, registry);
        resources.push(transactions);
        transactions.start();
        startTables(config, objects, partitions, timer, registry, schemaRegistry(config, controllerClient, registry));

        BrokerServer broker = new BrokerServer(config, partitions, views, cluster, groups, transactions,
            requestExecutor, timer, topicMetrics, registry);
        resources.push(broker);
        boundAddress = broker.start();
        LOG.info("Lakestream node {} listening on {}://{}:{}, data in {}{}", config.nodeId(), config.listener().name(),
            boundAddress.getHostString(), boundAddress.getPort(), dataDir, metricsSuffix());
    }

    /**
     * The Iceberg catalog of table topics (built-in or external), its REST endpoint (if it has a port) and the table topic
     * workers of the partitions led here (unless table.topic.enable=false).
     */
    private void startTables(BrokerConfig config, ObjectStorage objects, PartitionManager partitions,
                             ScheduledExecutorService timer, PrometheusMeterRegistry registry, SchemaLookup schemas) {
        Catalog catalog = TableCatalogs.catalog(config, objects, config.dataDir().resolve("table-spill"));
        resources.push((AutoCloseable) catalog); // an external catalog's connections and HTTP client
        LOG.info("Table topics' catalog: {} {}", config.getString(BrokerConfig.TABLE_CATALOG_TYPE),
            Objects.requireNonNullElse(config.getString(BrokerConfig.TABLE_CATALOG_URI), ""));
        TableTopicService tables = null;
        if (config.getBoolean(BrokerConfig.TABLE_TOPIC_ENABLE)) {
            tables = new TableTopicService(catalog, schemas, config.getLong(BrokerConfig.TABLE_WRITER_MEMORY_BYTES),
                config.getInt(BrokerConfig.TABLE_WRITER_THREADS), registry, System::currentTimeMillis);
            resources.push(tables);
            tables.start();
            TableTopicBinding binding = new TableTopicBinding(partitions, tables);
            timer.scheduleWithFixedDelay(binding::refresh, 0, TABLE_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        }
        int restPort = config.getInt(BrokerConfig.TABLE_CATALOG_REST_PORT);
        if (restPort >= 0) {
            TableTopicService status = tables;
            restCatalog = RestCatalogServer.start(config.getString(BrokerConfig.TABLE_CATALOG_REST_HOST), restPort,
                catalog, (SupportsNamespaces) catalog, TableCatalogs.clientConfig(config),
                () -> status == null ? List.of() : status.status());
            resources.push(restCatalog);
            LOG.info("Iceberg REST catalog on http://{}:{}", restCatalog.address().getHostString(),
                restCatalog.address().getPort());
        }
    }

    /**
     * The schema registry, kept in the controller (so every broker shares it), and its REST
     * endpoint if it has a port; table topics with the avro or protobuf format read it in process.
     */
    private SchemaRegistry schemaRegistry(BrokerConfig config, ControllerClient controller,
                                          PrometheusMeterRegistry registry) {
        SchemaRegistry schemas = new SchemaRegistry(new ControllerRegistryLog(controller));
        int port = config.getInt(BrokerConfig.SCHEMA_REGISTRY_PORT);
        if (port >= 0) {
            schemaRegistryServer = SchemaRegistryServer.start(config.getString(BrokerConfig.SCHEMA_REGISTRY_HOST), port,
                schemas, registry);
            resources.push(schemaRegistryServer);
            LOG.info("Schema registry on http://{}:{}", schemaRegistryServer.address().getHostString(),
                schemaRegistryServer.address().getPort());
        }
        return schemas;
    }

    /** ", metrics on URL" for the start line, or nothing without a metrics endpoint. */
    private String metricsSuffix() {
        return metricsEndpoint == null ? "" : ", metrics on http://" + metricsEndpoint.address().getHostString() + ":"
            + metricsEndpoint.address().getPort() + "/metrics";
    }

    /**
     * The caches live on the heap: sized past half of it, the broker would run out of memory
     * under load instead of refusing to start with a message that says what to change.
     */
    static void checkCachesFitTheHeap(BrokerConfig config, long maxHeap) {
        if (!config.runsBroker()) {
            return;
        }
        long caches = config.getLong(BrokerConfig.LOG_CACHE_BYTES) + config.getLong(BrokerConfig.BLOCK_CACHE_BYTES)
            + (config.getBoolean(BrokerConfig.TABLE_TOPIC_ENABLE) ? config.getLong(BrokerConfig.TABLE_WRITER_MEMORY_BYTES) : 0);
        if (caches > maxHeap / 2) {
            throw new ConfigException(BrokerConfig.LOG_CACHE_BYTES + " + " + BrokerConfig.BLOCK_CACHE_BYTES + " + "
                + BrokerConfig.TABLE_WRITER_MEMORY_BYTES + " = " + caches + " bytes is more than half of the JVM's "
                + "maximum heap (" + maxHeap + " bytes); lower them or give the broker more heap (LAKESTREAM_HEAP_OPTS)");
        }
    }

    private static ControllerQuorum quorum(BrokerConfig config) {
        List<ControllerQuorum.Voter> voters = new ArrayList<>();
        for (String voter : config.controllerVoters()) {
            int at = voter.indexOf('@');
            if (at <= 0 || voter.lastIndexOf(':') < at) {
                throw new ConfigException(BrokerConfig.CONTROLLER_QUORUM_VOTERS, voter, "must be id@host:port");
            }
            voters.add(new ControllerQuorum.Voter(voter.substring(0, at), voter.substring(at + 1)));
        }
        String clusterId = config.getString(BrokerConfig.CLUSTER_ID);
        return new ControllerQuorum(UUID.nameUUIDFromBytes(clusterId.getBytes(StandardCharsets.UTF_8)), voters);
    }

    /** The address the Kafka listener is bound to (its port, when the config said 0). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** The Iceberg REST catalog endpoint's address, or null if it is disabled. */
    public InetSocketAddress restCatalogAddress() {
        return restCatalog == null ? null : restCatalog.address();
    }

    /** The schema registry endpoint's address, or null if it is disabled. */
    public InetSocketAddress schemaRegistryAddress() {
        return schemaRegistryServer == null ? null : schemaRegistryServer.address();
    }

    public InetSocketAddress metricsAddress() {
        return metricsEndpoint == null ? null : metricsEndpoint.address();
    }

    /** Stops everything that started, newest first; safe to call twice. */
    @Override
    public synchronized void close() {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Shutdown step failed: {}", e.toString());
            }
        }
    }
}
