package io.lakestream.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.ValidString.in;

import io.lakestream.table.TableTopicConfig;
import io.lakestream.table.TableTopicService;
import io.lakestream.wal.block.BlockWalConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.coordinator.group.GroupCoordinatorConfig;
import org.apache.kafka.coordinator.group.modern.share.ShareGroupConfig;
import org.apache.kafka.coordinator.transaction.TransactionLogConfig;
import org.apache.kafka.coordinator.transaction.TransactionStateManagerConfig;
import org.apache.kafka.server.config.ServerConfigs;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * Every key of {@code server.properties}, declared once with its type, default, validator and
 * documentation (docs/configuration.md is generated from {@link #CONFIG_DEF}). Keys that
 * Apache Kafka also has keep Kafka's names and meanings; the Lakestream-only ones are about
 * the write-ahead log, the object store and the embedded controller.
 *
 * <p>Immutable.
 */
public final class BrokerConfig extends AbstractConfig {
    public static final String NODE_ID = "node.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String LOG_DIR = "log.dir";
    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CLUSTER_ID = "cluster.id";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String MAX_INFLIGHT_REQUESTS = "socket.max.inflight.requests.per.connection";
    public static final String FETCH_REQUEST_INLINE_MAX_BYTES = "fetch.request.inline.max.bytes";
    public static final String MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS =
        ServerConfigs.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_CONFIG;
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String MESSAGE_MAX_BYTES = "message.max.bytes";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_BYTES = "log.retention.bytes";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_INDEX_CHECKPOINT_INTERVAL_MS = "log.index.checkpoint.interval.ms";
    public static final String LOG_CLEANUP_POLICY = "log.cleanup.policy";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_BUFFER_LOAD_FACTOR = "log.cleaner.io.buffer.load.factor";
    public static final String LOG_CLEANER_DELETE_RETENTION_MS = "log.cleaner.delete.retention.ms";
    public static final String LOG_CLEANER_MIN_CLEANABLE_RATIO = "log.cleaner.min.cleanable.ratio";
    public static final String LOG_CLEANER_MIN_COMPACTION_LAG_MS = "log.cleaner.min.compaction.lag.ms";
    public static final String LOG_CLEANER_MAX_COMPACTION_LAG_MS = "log.cleaner.max.compaction.lag.ms";
    public static final String LOG_MESSAGE_TIMESTAMP_TYPE = "log.message.timestamp.type";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String PRODUCER_ID_EXPIRATION_MS = "producer.id.expiration.ms";
    public static final String WAL_TYPE = "wal.type";
    public static final String WAL_PATH = "wal.path";
    public static final String WAL_CAPACITY_BYTES = "wal.capacity.bytes";
    public static final String OBJECT_STORE_TYPE = "object.store.type";
    public static final String OBJECT_STORE_LOCAL_DIR = "object.store.local.dir";
    public static final String S3_ENDPOINT = "s3.endpoint";
    public static final String S3_BUCKET = "s3.bucket";
    public static final String S3_REGION = "s3.region";
    public static final String S3_PATH_STYLE_ACCESS = "s3.path.style.access";
    public static final String S3_ACCESS_KEY = "s3.access.key";
    public static final String S3_SECRET_KEY = "s3.secret.key";
    public static final String UPLOAD_INTERVAL_MS = "s3.upload.interval.ms";
    public static final String UPLOAD_THRESHOLD_BYTES = "s3.upload.threshold.bytes";
    public static final String LOG_CACHE_BYTES = "log.cache.size.bytes";
    public static final String BLOCK_CACHE_BYTES = "block.cache.size.bytes";
    public static final String METRICS_PORT = "metrics.http.port";
    public static final String METRICS_HOST = "metrics.http.host";
    public static final String GROUP_COORDINATOR_REBALANCE_PROTOCOLS = "group.coordinator.rebalance.protocols";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String TRANSACTION_STATE_LOG_NUM_PARTITIONS = TransactionLogConfig.TRANSACTIONS_TOPIC_PARTITIONS_CONFIG;
    public static final String TRANSACTION_STATE_LOG_LOAD_BUFFER_SIZE = TransactionLogConfig.TRANSACTIONS_LOAD_BUFFER_SIZE_CONFIG;
    public static final String TRANSACTION_MAX_TIMEOUT_MS = TransactionStateManagerConfig.TRANSACTIONS_MAX_TIMEOUT_MS_CONFIG;
    public static final String TRANSACTIONAL_ID_EXPIRATION_MS = TransactionStateManagerConfig.TRANSACTIONAL_ID_EXPIRATION_MS_CONFIG;
    public static final String TRANSACTION_ABORT_INTERVAL_MS =
        TransactionStateManagerConfig.TRANSACTIONS_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS_CONFIG;
    public static final String TRANSACTION_EXPIRE_INTERVAL_MS =
        TransactionStateManagerConfig.TRANSACTIONS_REMOVE_EXPIRED_TRANSACTIONAL_ID_CLEANUP_INTERVAL_MS_CONFIG;
    public static final String TRANSACTION_PARTITION_VERIFICATION_ENABLE =
        TransactionLogConfig.TRANSACTION_PARTITION_VERIFICATION_ENABLE_CONFIG;

    public static final String TABLE_TOPIC_ENABLE = "table.topic.enable";
    public static final String TABLE_WRITER_MEMORY_BYTES = "table.writer.memory.bytes";
    public static final String TABLE_WRITER_THREADS = "table.writer.threads";
    public static final String TABLE_CATALOG_PREFIX = "table.catalog.key.prefix";
    public static final String TABLE_CATALOG_REST_PORT = "table.catalog.rest.port";
    public static final String TABLE_CATALOG_REST_HOST = "table.catalog.rest.host";
    public static final String TABLE_CATALOG_TYPE = "table.catalog.type";
    public static final String TABLE_CATALOG_URI = "table.catalog.uri";
    public static final String TABLE_CATALOG_WAREHOUSE = "table.catalog.warehouse";
    public static final String TABLE_CATALOG_NAME = "table.catalog.name";
    /** Keys under this prefix go, without it, to the external Iceberg catalog as its properties. */
    public static final String TABLE_CATALOG_PROPERTY_PREFIX = "table.catalog.property.";
    public static final String SCHEMA_REGISTRY_PORT = "schema.registry.port";
    public static final String SCHEMA_REGISTRY_HOST = "schema.registry.host";

    /**
     * The keys of Kafka's group coordinator that apply here, declared as Kafka declares them
     * ({@link GroupCoordinatorConfig#CONFIG_DEF}): Kafka's names, defaults and documentation.
     * Left out are the replication factor and segment size of the offsets topic (there are no
     * replicas or segments) and the share and streams group keys (those protocols are not served).
     */
    private static final List<String> GROUP_COORDINATOR_KEYS = List.of(
        "group.coordinator.threads",
        "group.coordinator.background.threads",
        "group.coordinator.append.linger.ms",
        "offsets.commit.timeout.ms",
        "offsets.load.buffer.size",
        OFFSETS_TOPIC_NUM_PARTITIONS,
        "offsets.topic.compression.codec",
        "offset.metadata.max.bytes",
        "offsets.retention.minutes",
        "offsets.retention.check.interval.ms",
        "group.min.session.timeout.ms",
        "group.max.session.timeout.ms",
        "group.initial.rebalance.delay.ms",
        "group.max.size",
        "group.consumer.session.timeout.ms",
        "group.consumer.min.session.timeout.ms",
        "group.consumer.max.session.timeout.ms",
        "group.consumer.heartbeat.interval.ms",
        "group.consumer.min.heartbeat.interval.ms",
        "group.consumer.max.heartbeat.interval.ms",
        "group.consumer.max.size",
        "group.consumer.assignors",
        "group.consumer.migration.policy",
        "group.consumer.assignment.interval.ms",
        "group.consumer.min.assignment.interval.ms",
        "group.consumer.max.assignment.interval.ms");

    /**
     * The keys of Kafka's transaction coordinator that apply here, declared as Kafka declares them
     * ({@link TransactionStateManagerConfig#CONFIG_DEF}, {@link TransactionLogConfig#CONFIG_DEF}).
     * Left out are the replication factor, min ISR and segment size of the state topic.
     */
    private static final List<String> TRANSACTION_KEYS = List.of(
        TRANSACTION_STATE_LOG_NUM_PARTITIONS,
        TRANSACTION_STATE_LOG_LOAD_BUFFER_SIZE,
        TRANSACTION_PARTITION_VERIFICATION_ENABLE,
        TRANSACTION_MAX_TIMEOUT_MS,
        TRANSACTIONAL_ID_EXPIRATION_MS,
        TRANSACTION_ABORT_INTERVAL_MS,
        TRANSACTION_EXPIRE_INTERVAL_MS);

    /** At least 1 MiB, in whole 4 KiB blocks: the block WAL writes nothing smaller. */
    private static final ConfigDef.Validator WAL_CAPACITY_VALIDATOR = ConfigDef.LambdaValidator.with(
        (name, value) -> {
            atLeast(1L << 20).ensureValid(name, value);
            if ((Long) value % BlockWalConfig.BLOCK_BYTES != 0) {
                throw new ConfigException(name, value, "must be a multiple of " + BlockWalConfig.BLOCK_BYTES);
            }
        },
        () -> "[1048576,...], a multiple of " + BlockWalConfig.BLOCK_BYTES);

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(NODE_ID, Type.INT, 1, atLeast(0), HIGH,
            "The id of this node, unique in the cluster; it names the node's streams and stream-set objects.")
        .define(PROCESS_ROLES, Type.LIST, "broker,controller", ConfigDef.ValidList.in(false, "broker", "controller"),
            HIGH, "The roles of this process. 'broker,controller' runs the embedded one-node controller beside "
                + "the broker; 'broker' joins the quorum named by " + CONTROLLER_QUORUM_VOTERS + "; 'controller' runs "
                + "only a voter of that quorum (node.id is its voter id), with no broker or object store.")
        .define(LISTENERS, Type.STRING, "PLAINTEXT://127.0.0.1:9092", HIGH,
            "The Kafka listener, as NAME://host:port. Port 0 picks a free port.")
        .define(ADVERTISED_LISTENERS, Type.STRING, null, MEDIUM,
            "The listener clients are told to connect to, if not " + LISTENERS + ".")
        .define(LOG_DIR, Type.STRING, "./data", HIGH,
            "Where this node keeps its state: the write-ahead log, the embedded controller's state and, for "
                + "the local object store, the objects.")
        .define(CONTROLLER_QUORUM_VOTERS, Type.LIST, "1@127.0.0.1:9093", HIGH,
            "The controller voters as id@host:port, as in Kafka's KRaft.")
        .define(CLUSTER_ID, Type.STRING, "lakestream-local-cluster-0001", MEDIUM,
            "The cluster id; every node of a cluster has the same one.")
        .define(NUM_NETWORK_THREADS, Type.INT, 3, atLeast(1), MEDIUM,
            "Event loops that read requests from and write responses to connections.")
        .define(NUM_IO_THREADS, Type.INT, 8, atLeast(1), MEDIUM,
            "Threads that handle requests: validate batches, build responses.")
        .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 100 * 1024 * 1024, atLeast(1), MEDIUM,
            "The largest request accepted; a larger one closes its connection.")
        .define(MAX_INFLIGHT_REQUESTS, Type.INT, 64, atLeast(1), LOW,
            "Pipelined requests one connection may have in flight before the broker stops reading it.")
        .define(FETCH_REQUEST_INLINE_MAX_BYTES, Type.INT, 4096, atLeast(0), LOW,
            "Fetch requests up to this size are handled on the network thread that read them: a fetch of "
                + "cached data is then answered without waking a request thread, nor the network thread again "
                + "for the answer. The size bounds the partitions a full fetch names (about 120 in 4 KiB); an "
                + "incremental fetch of a larger session is read on the " + NUM_IO_THREADS + " threads. Larger "
                + "fetches, and every other request, go to those threads; 0 sends every fetch there too.")
        .define(MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS, Type.INT,
            ServerConfigs.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DEFAULT, atLeast(0), MEDIUM,
            ServerConfigs.MAX_INCREMENTAL_FETCH_SESSION_CACHE_SLOTS_DOC)
        .define(NUM_PARTITIONS, Type.INT, 1, atLeast(1), MEDIUM,
            "Partitions of an auto-created topic, or of a CreateTopics request that leaves them unset.")
        .define(DEFAULT_REPLICATION_FACTOR, Type.SHORT, (short) 1, between(1, 1), MEDIUM,
            "Always 1: durability comes from the write-ahead log and the object store, not from replicas.")
        .define(AUTO_CREATE_TOPICS_ENABLE, Type.BOOLEAN, true, MEDIUM,
            "Whether a Metadata request for an unknown topic creates it.")
        .define(DELETE_TOPIC_ENABLE, Type.BOOLEAN, true, MEDIUM, "Whether DeleteTopics is allowed.")
        .define(MESSAGE_MAX_BYTES, Type.INT, 1024 * 1024 + 12, atLeast(0), HIGH,
            "The largest record batch a topic accepts, unless its max.message.bytes says otherwise.")
        .define(LOG_RETENTION_MS, Type.LONG, LogConfig.DEFAULT_RETENTION_MS, atLeast(-1), HIGH,
            "How long a topic keeps records, unless its retention.ms says otherwise; -1 keeps them forever.")
        .define(LOG_RETENTION_BYTES, Type.LONG, -1L, atLeast(-1), HIGH,
            "How many bytes a partition keeps, unless its retention.bytes says otherwise; -1 for no limit.")
        .define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, atLeast(1), MEDIUM,
            "How often the partitions led here are checked against their retention.ms and retention.bytes; "
                + "each check moves a partition's log start offset at most once.")
        .define(LOG_INDEX_CHECKPOINT_INTERVAL_MS, Type.LONG, 60_000L, atLeast(1), MEDIUM,
            "How often each partition led here writes the index entries and idempotent producer state added since "
                + "its last checkpoint to the object store (a partition also checkpoints when it closes). A broker "
                + "that opens the partition reads them and replays only the batches appended after the newest one.")
        .define(LOG_CLEANUP_POLICY, Type.LIST, TopicConfig.CLEANUP_POLICY_DELETE,
            ConfigDef.ValidList.in(false, TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.CLEANUP_POLICY_COMPACT),
            MEDIUM, "The default cleanup.policy of topics.")
        .define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, MEDIUM,
            "Whether the log cleaner compacts the partitions led here whose cleanup.policy includes compact.")
        .define(LOG_CLEANER_BACKOFF_MS, Type.LONG, 15_000L, atLeast(1), MEDIUM,
            "The pause between two log cleaning passes over the compacted partitions led here.")
        .define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, Type.INT, 32 << 20, atLeast(1 << 20), MEDIUM,
            "Memory for the keys of one cleaning pass (24 bytes a key); a partition with more keys in its dirty "
                + "part is cleaned over several passes. A quarter of Kafka's default, for the shipped 1 GiB heap.")
        .define(LOG_CLEANER_IO_BUFFER_LOAD_FACTOR, Type.DOUBLE, 0.9, between(0.1, 0.99), LOW,
            "How full the cleaner's key map may get before a pass stops adding keys.")
        .define(LOG_CLEANER_DELETE_RETENTION_MS, Type.LONG, LogConfig.DEFAULT_DELETE_RETENTION_MS, atLeast(0), MEDIUM,
            "The default delete.retention.ms of topics: how long a tombstone stays after a cleaning pass first "
                + "kept it.")
        .define(LOG_CLEANER_MIN_CLEANABLE_RATIO, Type.DOUBLE, LogConfig.DEFAULT_MIN_CLEANABLE_DIRTY_RATIO,
            between(0, 1), MEDIUM, "The default min.cleanable.dirty.ratio of topics.")
        .define(LOG_CLEANER_MIN_COMPACTION_LAG_MS, Type.LONG, LogConfig.DEFAULT_MIN_COMPACTION_LAG_MS, atLeast(0),
            MEDIUM, "The default min.compaction.lag.ms of topics.")
        .define(LOG_CLEANER_MAX_COMPACTION_LAG_MS, Type.LONG, LogConfig.DEFAULT_MAX_COMPACTION_LAG_MS, atLeast(1),
            MEDIUM, "The default max.compaction.lag.ms of topics.")
        .define(LOG_MESSAGE_TIMESTAMP_TYPE, Type.STRING, "CreateTime", in("CreateTime", "LogAppendTime"), MEDIUM,
            "The default message.timestamp.type of topics.")
        .define(COMPRESSION_TYPE, Type.STRING, "producer",
            in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), MEDIUM,
            "The default compression.type of topics; 'producer' stores batches as they were sent.")
        .define(PRODUCER_ID_EXPIRATION_MS, Type.INT, 86_400_000, atLeast(1), LOW,
            "How long an idempotent producer's state is kept after its last write.")
        .define(WAL_TYPE, Type.STRING, "block", in("block", "object"), HIGH,
            "The write-ahead log: 'block', a file on a local or EBS disk (lowest latency), or 'object', in "
                + "the object store (no local state).")
        .define(WAL_PATH, Type.STRING, null, MEDIUM,
            "The block write-ahead log's file; default " + LOG_DIR + "/wal.")
        .define(WAL_CAPACITY_BYTES, Type.LONG, 2L << 30, WAL_CAPACITY_VALIDATOR, MEDIUM,
            "The block write-ahead log's size: data not yet uploaded must fit in it. A multiple of 4096: the "
                + "log writes whole blocks.")
        .define(OBJECT_STORE_TYPE, Type.STRING, "local", in("local", "s3"), HIGH,
            "Where data objects live: 'local', a directory (the embedded default), or 's3'.")
        .define(OBJECT_STORE_LOCAL_DIR, Type.STRING, null, MEDIUM,
            "The directory of the local object store; default " + LOG_DIR + "/objects.")
        .define(S3_ENDPOINT, Type.STRING, null, MEDIUM,
            "The S3 endpoint URL, for S3-compatible stores (MinIO, s3proxy); unset uses AWS.")
        .define(S3_BUCKET, Type.STRING, null, MEDIUM, "The S3 bucket of data objects.")
        .define(S3_REGION, Type.STRING, "us-east-1", MEDIUM, "The S3 region.")
        .define(S3_PATH_STYLE_ACCESS, Type.BOOLEAN, false, LOW,
            "Path-style S3 URLs, which most S3-compatible stores need.")
        .define(S3_ACCESS_KEY, Type.STRING, null, MEDIUM,
            "The S3 access key; unset uses the AWS default credentials chain.")
        .define(S3_SECRET_KEY, Type.PASSWORD, null, MEDIUM, "The S3 secret key.")
        .define(UPLOAD_INTERVAL_MS, Type.LONG, 500L, atLeast(1), MEDIUM,
            "How long written data may wait before it is uploaded to the object store.")
        .define(UPLOAD_THRESHOLD_BYTES, Type.LONG, 32L << 20, atLeast(1), MEDIUM,
            "An upload starts early once this much data waits.")
        .define(LOG_CACHE_BYTES, Type.LONG, 256L << 20, atLeast(1), MEDIUM,
            "Heap for recently written data, which tailing consumers read. With " + BLOCK_CACHE_BYTES
                + " and table.writer.memory.bytes at most half the JVM's maximum heap (LAKESTREAM_HEAP_OPTS, -Xmx2g by default), or the "
                + "broker does not start: the rest is for requests, table topic writers and the controller.")
        .define(BLOCK_CACHE_BYTES, Type.LONG, 128L << 20, atLeast(1), MEDIUM,
            "Heap for data read back from the object store; see " + LOG_CACHE_BYTES + ".")
        .define(METRICS_PORT, Type.INT, -1, between(-1, 65535), MEDIUM,
            "The port of the Prometheus scrape endpoint (/metrics); -1 disables it, 0 picks a free port.")
        .define(METRICS_HOST, Type.STRING, "127.0.0.1", LOW, "The address of the Prometheus endpoint.")
        .define(GROUP_COORDINATOR_REBALANCE_PROTOCOLS, Type.LIST, "classic,consumer",
            ConfigDef.ValidList.in(false, "classic", "consumer"), MEDIUM,
            "The consumer group protocols served: 'classic' (JoinGroup/SyncGroup, Kafka's consumers before "
                + "4.0 and librdkafka) and 'consumer' (KIP-848's ConsumerGroupHeartbeat, group.protocol=consumer). "
                + "Without 'consumer', the broker does not advertise its APIs.")
        .define(TABLE_WRITER_MEMORY_BYTES, Type.LONG, TableTopicService.DEFAULT_WRITER_MEMORY_BYTES, atLeast(1 << 20),
            MEDIUM, "About how much heap the open Parquet files of the table topic partitions led here may hold "
                + "together (each buffers up to a row group). Past it the fullest are closed early, making smaller "
                + "files that table maintenance rewrites; upsert tables commit early instead. Counts in the half of "
                + "the heap that " + LOG_CACHE_BYTES + " and " + BLOCK_CACHE_BYTES + " share.")
        .define(TABLE_WRITER_THREADS, Type.INT, 0, atLeast(0), MEDIUM,
            "How many table topic partitions led here are parsed, converted and written to Parquet at once, "
                + "each by one thread; 0: one per processor. Commits stay on one thread.")
        .define(TABLE_TOPIC_ENABLE, Type.BOOLEAN, true, MEDIUM,
            "Whether this broker writes the partitions it leads of topics with lakestream.table.enable=true to "
                + "their Iceberg tables.")
        .define(TABLE_CATALOG_TYPE, Type.STRING, "builtin", in("builtin", "rest", "jdbc"), HIGH,
            "The Iceberg catalog that holds table topics' tables. 'builtin': kept in the object store itself "
                + "(under " + TABLE_CATALOG_PREFIX + "), no other service. 'rest': an external Iceberg REST "
                + "catalog at " + TABLE_CATALOG_URI + ". 'jdbc': Iceberg's JDBC catalog in the database at "
                + TABLE_CATALOG_URI + " (the H2 driver is in the server jar; other drivers go on "
                + "LAKESTREAM_CLASSPATH). Whatever the type, the broker writes the tables' data and metadata files "
                + "itself, into its own object store under " + TABLE_CATALOG_WAREHOUSE + "; an external catalog "
                + "keeps the tables' pointers (a REST server also writes the metadata files, so it must reach that "
                + "store too). Any other property of the external catalog (credentials, jdbc.user, jdbc.password, "
                + "a REST warehouse or token, ...) is set as " + TABLE_CATALOG_PROPERTY_PREFIX + "<property>, "
                + "passed on without the prefix. Every broker of a cluster has the same.")
        .define(TABLE_CATALOG_URI, Type.STRING, null, MEDIUM,
            "The external catalog: the base URI of the REST catalog (http://host:port, without /v1) or the JDBC "
                + "URL of its database (jdbc:h2:tcp://host/path, jdbc:postgresql://host/db). Required when "
                + TABLE_CATALOG_TYPE + " is rest or jdbc.")
        .define(TABLE_CATALOG_WAREHOUSE, Type.STRING, null, MEDIUM,
            "Where new tables' files go, a location in the broker's object store: s3://<s3.bucket>/<path>/ for "
                + "S3, the local object directory's file: URI and a path for the local store; query engines read "
                + "the files there. By default <object store root><" + TABLE_CATALOG_PREFIX + ">warehouse/. "
                + "A new table is at <warehouse><namespace>/<table>-<random suffix>.")
        .define(TABLE_CATALOG_NAME, Type.STRING, "lakestream", new ConfigDef.NonEmptyString(), LOW,
            "The catalog's name; the JDBC catalog keeps it with every table (query engines reading the same "
                + "database name the same catalog).")
        .define(TABLE_CATALOG_PREFIX, Type.STRING, "iceberg/", new ConfigDef.NonEmptyString(), MEDIUM,
            "Where the built-in Iceberg catalog lives in the object store: its namespaces and table metadata "
                + "under <prefix>catalog/, the tables' files under <prefix>warehouse/ (unless "
                + TABLE_CATALOG_WAREHOUSE + " says otherwise). Every broker of a cluster has the same.")
        .define(TABLE_CATALOG_REST_PORT, Type.INT, -1, between(-1, 65535), MEDIUM,
            "The port of the Iceberg REST catalog endpoint (/v1/...), through which Trino, Spark or PyIceberg "
                + "read table topics; -1 disables it, 0 picks a free port.")
        .define(TABLE_CATALOG_REST_HOST, Type.STRING, "127.0.0.1", LOW,
            "The address of the Iceberg REST catalog endpoint.")
        .define(SCHEMA_REGISTRY_PORT, Type.INT, -1, between(-1, 65535), MEDIUM,
            "The port of the Confluent-compatible schema registry (REST API at /subjects, /schemas, /config, "
                + "/compatibility), shared by every broker of the cluster; -1 disables the endpoint (table topics "
                + "with an avro or protobuf format still find schemas), 0 picks a free port.")
        .define(SCHEMA_REGISTRY_HOST, Type.STRING, "127.0.0.1", LOW, "The address of the schema registry endpoint.");

    static {
        GROUP_COORDINATOR_KEYS.forEach(key ->
            CONFIG_DEF.define(GroupCoordinatorConfig.CONFIG_DEF.configKeys().get(key)));
        ConfigDef transactionKeys = Utils.mergeConfigs(List.of(TransactionStateManagerConfig.CONFIG_DEF,
            TransactionLogConfig.CONFIG_DEF));
        TRANSACTION_KEYS.forEach(key -> CONFIG_DEF.define(transactionKeys.configKeys().get(key)));
    }

    /**
     * The topic configs beyond Kafka's that topics may set: table topics'. The controller's
     * voters and the broker's validate-only requests check with the same.
     */
    private static final ConfigDef LAKESTREAM_TOPIC_CONFIGS = TableTopicConfig.CONFIG_DEF;

    /** Broker keys whose value is the default of a topic config (Kafka's synonyms). */
    private static final Map<String, String> TOPIC_DEFAULTS = Map.of(
        MESSAGE_MAX_BYTES, TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
        LOG_RETENTION_MS, TopicConfig.RETENTION_MS_CONFIG,
        LOG_RETENTION_BYTES, TopicConfig.RETENTION_BYTES_CONFIG,
        LOG_CLEANUP_POLICY, TopicConfig.CLEANUP_POLICY_CONFIG,
        LOG_CLEANER_DELETE_RETENTION_MS, TopicConfig.DELETE_RETENTION_MS_CONFIG,
        LOG_CLEANER_MIN_CLEANABLE_RATIO, TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG,
        LOG_CLEANER_MIN_COMPACTION_LAG_MS, TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG,
        LOG_CLEANER_MAX_COMPACTION_LAG_MS, TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG,
        LOG_MESSAGE_TIMESTAMP_TYPE, TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
        COMPRESSION_TYPE, TopicConfig.COMPRESSION_TYPE_CONFIG);

    private final Listener listener;
    /** Our group keys with Kafka's defaults for the rest, over Kafka's group and share group ConfigDefs. */
    private final AbstractConfig groupConfigs;
    private final GroupCoordinatorConfig groupCoordinatorConfig;

    /**
     * Parses and validates {@code props}.
     *
     * @throws ConfigException naming the key, for an unknown key or a bad value
     */
    public BrokerConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, false);
        Set<String> unknown = new HashSet<>();
        for (Object key : props.keySet()) {
            if (!CONFIG_DEF.names().contains(key.toString()) && !isCatalogProperty(key.toString())) {
                unknown.add(key.toString());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("Unknown configuration " + (unknown.size() == 1 ? "key " : "keys ")
                + String.join(", ", unknown.stream().sorted().toList()) + " (see docs/configuration.md)");
        }
        this.listener = Listener.parse(LISTENERS, getString(LISTENERS));
        if (getString(ADVERTISED_LISTENERS) != null) {
            Listener.parse(ADVERTISED_LISTENERS, getString(ADVERTISED_LISTENERS));
        }
        if ("s3".equals(getString(OBJECT_STORE_TYPE)) && getString(S3_BUCKET) == null) {
            throw new ConfigException(S3_BUCKET, null, "is required when " + OBJECT_STORE_TYPE + "=s3");
        }
        if (getString(S3_ENDPOINT) != null) {
            try {
                URI.create(getString(S3_ENDPOINT)).toURL();
            } catch (Exception e) {
                throw new ConfigException(S3_ENDPOINT, getString(S3_ENDPOINT), "is not a URL: " + e.getMessage());
            }
        }
        if (!getString(TABLE_CATALOG_PREFIX).endsWith("/")) {
            throw new ConfigException(TABLE_CATALOG_PREFIX, getString(TABLE_CATALOG_PREFIX), "must end with /");
        }
        if (!"builtin".equals(getString(TABLE_CATALOG_TYPE)) && (getString(TABLE_CATALOG_URI) == null
            || getString(TABLE_CATALOG_URI).isBlank())) {
            throw new ConfigException(TABLE_CATALOG_URI, getString(TABLE_CATALOG_URI), "is required when "
                + TABLE_CATALOG_TYPE + "=" + getString(TABLE_CATALOG_TYPE));
        }
        if (getLong(LOG_CACHE_BYTES) < getLong(UPLOAD_THRESHOLD_BYTES)) {
            throw new ConfigException(LOG_CACHE_BYTES, getLong(LOG_CACHE_BYTES), "must be at least "
                + UPLOAD_THRESHOLD_BYTES + " (" + getLong(UPLOAD_THRESHOLD_BYTES) + ")");
        }
        this.groupConfigs = readGroupConfigs();
        try {
            this.groupCoordinatorConfig = new GroupCoordinatorConfig(groupConfigs);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Invalid group coordinator configuration: " + e.getMessage());
        }
    }

    /**
     * Our group keys as Kafka's coordinator reads them; the keys we leave out keep Kafka's
     * defaults. Kafka's cross-key checks (a minimum above a maximum, ...) run when the
     * {@link GroupCoordinatorConfig} is made from it, and fail as config errors.
     */
    private AbstractConfig readGroupConfigs() {
        Map<String, Object> props = new HashMap<>();
        GROUP_COORDINATOR_KEYS.forEach(key -> props.put(key, get(key)));
        props.put(GROUP_COORDINATOR_REBALANCE_PROTOCOLS, get(GROUP_COORDINATOR_REBALANCE_PROTOCOLS));
        props.put("offsets.topic.replication.factor", (short) 1);
        return new AbstractConfig(Utils.mergeConfigs(List.of(GroupCoordinatorConfig.CONFIG_DEF,
            ShareGroupConfig.CONFIG_DEF)), props, false);
    }

    /** The config of Kafka's group coordinator, as this broker runs it. */
    /**
     * The external catalog's own properties: every {@value #TABLE_CATALOG_PROPERTY_PREFIX}{@code <name>}
     * key, as {@code <name>}.
     */
    public Map<String, String> tableCatalogProperties() {
        Map<String, String> properties = new HashMap<>();
        originalsWithPrefix(TABLE_CATALOG_PROPERTY_PREFIX).forEach((key, value) -> properties.put(key, String.valueOf(value)));
        return properties;
    }

    private static boolean isCatalogProperty(String key) {
        return key.startsWith(TABLE_CATALOG_PROPERTY_PREFIX) && key.length() > TABLE_CATALOG_PROPERTY_PREFIX.length();
    }

    public GroupCoordinatorConfig groupCoordinatorConfig() {
        return groupCoordinatorConfig;
    }

    /** Kafka's share group config, which its group config manager needs; share groups are not served. */
    public ShareGroupConfig shareGroupConfig() {
        return new ShareGroupConfig(groupConfigs);
    }

    /** Whether KIP-848's consumer group protocol (ConsumerGroupHeartbeat) is served. */
    public boolean consumerGroupProtocolEnabled() {
        return getList(GROUP_COORDINATOR_REBALANCE_PROTOCOLS).contains("consumer");
    }

    public int nodeId() {
        return getInt(NODE_ID);
    }

    public boolean runsController() {
        return getList(PROCESS_ROLES).contains("controller");
    }

    public ConfigDef lakestreamTopicConfigs() {
        return LAKESTREAM_TOPIC_CONFIGS;
    }

    public boolean runsBroker() {
        return getList(PROCESS_ROLES).contains("broker");
    }

    public Listener listener() {
        return listener;
    }

    /** The listener that clients are told about in metadata. */
    public Listener advertisedListener() {
        String advertised = getString(ADVERTISED_LISTENERS);
        return advertised == null ? listener : Listener.parse(ADVERTISED_LISTENERS, advertised);
    }

    public Path dataDir() {
        return Path.of(getString(LOG_DIR)).toAbsolutePath().normalize();
    }

    public Path walPath() {
        String path = getString(WAL_PATH);
        return path == null ? dataDir().resolve("wal") : Path.of(path).toAbsolutePath();
    }

    public Path localObjectDir() {
        String path = getString(OBJECT_STORE_LOCAL_DIR);
        return path == null ? dataDir().resolve("objects") : Path.of(path).toAbsolutePath();
    }

    public List<String> controllerVoters() {
        return getList(CONTROLLER_QUORUM_VOTERS);
    }

    /** The broker-wide defaults of topic configs, keyed by topic config name. */
    public Map<String, Object> topicDefaults() {
        Map<String, Object> defaults = new HashMap<>();
        TOPIC_DEFAULTS.forEach((brokerKey, topicKey) -> {
            Object value = get(brokerKey);
            defaults.put(topicKey, value instanceof List<?> list ? String.join(",", list.stream()
                .map(Object::toString).toList()) : value);
        });
        return defaults;
    }

    /**
     * The config in effect for a topic with these overrides: each override, else this broker's
     * default ({@link #topicDefaults()}), else Kafka's. Partition logs enforce it and
     * DescribeConfigs shows it.
     */
    public LogConfig topicConfig(Map<String, String> overrides) {
        Map<String, Object> merged = new HashMap<>(topicDefaults());
        merged.putAll(overrides);
        return new LogConfig(merged, overrides.keySet());
    }

    /** The broker key whose value is the default of {@code topicConfig} (Kafka's synonym), if there is one. */
    public static Optional<String> topicDefaultKey(String topicConfig) {
        return TOPIC_DEFAULTS.entrySet().stream().filter(e -> e.getValue().equals(topicConfig))
            .map(Map.Entry::getKey).findFirst();
    }

    /** A listener: its name, host and port. */
    public record Listener(String name, String host, int port) {
        static Listener parse(String key, String value) {
            int scheme = value.indexOf("://");
            int colon = value.lastIndexOf(':');
            if (scheme <= 0 || colon <= scheme + 2 || value.contains(",")) {
                throw new ConfigException(key, value, "must be one listener, as NAME://host:port");
            }
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new Listener(value.substring(0, scheme), value.substring(scheme + 3, colon), port);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "has no valid port");
            }
        }
    }
}
