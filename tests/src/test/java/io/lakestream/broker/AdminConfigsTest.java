package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lakestream.table.TableTopicConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigSource;
import org.apache.kafka.clients.admin.ConfigEntry.ConfigType;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config, log dir and producer admin APIs through the unchanged kafka-clients Admin
 * against the real server process, which is started with one topic default set in its
 * config (log.retention.ms) so that every config source shows up.
 */
class AdminConfigsTest {
    private static final String BROKER_RETENTION_MS = "7200000";

    @TempDir
    static Path dir;
    private static LakestreamProcess server;
    private static Admin admin;

    @BeforeAll
    static void startServer() throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0, "log.retention.ms=" + BROKER_RETENTION_MS);
        admin = server.admin();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stopCleanly();
        }
    }

    private static void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
    }

    private static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static Config describe(ConfigResource resource) throws Exception {
        return admin.describeConfigs(List.of(resource),
            new DescribeConfigsOptions().includeSynonyms(true).includeDocumentation(true)).all().get().get(resource);
    }

    private static void alter(ConfigResource resource, boolean validateOnly, AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops)), new AlterConfigsOptions()
            .validateOnly(validateOnly)).all().get();
    }

    private static AlterConfigOp op(OpType type, String key, String value) {
        return new AlterConfigOp(new ConfigEntry(key, value), type);
    }

    private static String synonyms(ConfigEntry entry) {
        return entry.synonyms().stream().map(s -> s.source() + ":" + s.name() + "=" + s.value()).toList().toString();
    }

    private static KafkaProducer<byte[], byte[]> producer(boolean idempotent) {
        return server.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent,
            ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    @Test
    void describeConfigsOfATopicShowsOverridesBrokerDefaultsAndKafkaDefaultsWithTheirSources() throws Exception {
        createTopic("described", 1, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "5000",
            TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));

        Config config = describe(topic("described"));

        Set<String> topicConfigNames = new HashSet<>(LogConfig.nonInternalConfigNames());
        topicConfigNames.addAll(TableTopicConfig.CONFIG_DEF.names());
        assertThat(config.entries()).as("Kafka's topic configs and table topics'").extracting(ConfigEntry::name)
            .containsExactlyInAnyOrderElementsOf(topicConfigNames);
        ConfigEntry override = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        assertThat(override.value()).isEqualTo("5000");
        assertThat(override.source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(synonyms(override)).isEqualTo("[DYNAMIC_TOPIC_CONFIG:max.message.bytes=5000, "
            + "DEFAULT_CONFIG:message.max.bytes=1048588]");
        assertThat(override.type()).isEqualTo(ConfigType.INT);
        assertThat(override.documentation()).isNotBlank();
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).type()).isEqualTo(ConfigType.LIST);

        ConfigEntry brokerDefault = config.get(TopicConfig.RETENTION_MS_CONFIG);
        assertThat(brokerDefault.value()).isEqualTo(BROKER_RETENTION_MS);
        assertThat(brokerDefault.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(synonyms(brokerDefault)).isEqualTo("[STATIC_BROKER_CONFIG:log.retention.ms=" + BROKER_RETENTION_MS
            + ", DEFAULT_CONFIG:log.retention.ms=604800000]");

        ConfigEntry kafkaDefault = config.get(TopicConfig.SEGMENT_BYTES_CONFIG);
        assertThat(kafkaDefault.value()).isEqualTo(String.valueOf(LogConfig.DEFAULT_SEGMENT_BYTES));
        assertThat(kafkaDefault.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(kafkaDefault.isDefault()).isTrue();
        assertThat(config.entries()).allSatisfy(entry -> {
            assertThat(entry.isReadOnly()).as(entry.name()).isFalse();
            assertThat(entry.isSensitive()).as(entry.name()).isFalse();
        });

        Config plain = admin.describeConfigs(List.of(topic("described"))).all().get().get(topic("described"));
        assertThat(plain.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).synonyms()).as("synonyms not asked for").isEmpty();
        assertThat(plain.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).source())
            .isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void describeConfigsOfAnUnknownTopicFailsWithUnknownTopic() {
        assertThatThrownBy(() -> describe(topic("no-such-topic")))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void describeConfigsOfTheBrokerListsItsConfigReadOnlyWithTheSetValues() throws Exception {
        Config config = describe(new ConfigResource(ConfigResource.Type.BROKER, "1"));

        ConfigEntry listeners = config.get("listeners");
        assertThat(listeners.value()).isEqualTo("PLAINTEXT://" + server.bootstrap());
        assertThat(listeners.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        ConfigEntry ioThreads = config.get("num.io.threads");
        assertThat(ioThreads.value()).isEqualTo("8");
        assertThat(ioThreads.source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(ioThreads.type()).isEqualTo(ConfigType.INT);
        assertThat(config.get("log.retention.ms").value()).isEqualTo(BROKER_RETENTION_MS);
        assertThat(config.entries()).allSatisfy(entry -> assertThat(entry.isReadOnly()).as(entry.name()).isTrue());

        assertThat(describe(new ConfigResource(ConfigResource.Type.BROKER, "")).entries())
            .as("cluster-wide dynamic defaults: none").isEmpty();
        assertThatThrownBy(() -> admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.BROKER_LOGGER,
            "1"))).all().get()).hasCauseInstanceOf(InvalidRequestException.class);
    }

    @Test
    void incrementalAlterConfigsSetsDeletesAppendsAndSubtractsAndDescribeShowsEachAtOnce() throws Exception {
        createTopic("altered", 1, Map.of());
        ConfigResource resource = topic("altered");

        alter(resource, false, op(OpType.SET, TopicConfig.RETENTION_MS_CONFIG, "60000"),
            op(OpType.APPEND, TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
        Config afterSet = describe(resource);
        assertThat(afterSet.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("60000");
        assertThat(afterSet.get(TopicConfig.RETENTION_MS_CONFIG).source()).isEqualTo(ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(afterSet.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete,compact");

        alter(resource, false, op(OpType.SUBTRACT, TopicConfig.CLEANUP_POLICY_CONFIG, "delete"));
        assertThat(describe(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");

        alter(resource, false, op(OpType.DELETE, TopicConfig.RETENTION_MS_CONFIG, null));
        ConfigEntry deleted = describe(resource).get(TopicConfig.RETENTION_MS_CONFIG);
        assertThat(deleted.value()).isEqualTo(BROKER_RETENTION_MS);
        assertThat(deleted.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
    }

    @Test
    void validateOnlyChecksTheChangeButMakesNone() throws Exception {
        createTopic("dry-run", 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "60000"));
        ConfigResource resource = topic("dry-run");

        alter(resource, true, op(OpType.SET, TopicConfig.RETENTION_MS_CONFIG, "1234"),
            op(OpType.SET, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096"));
        assertThatThrownBy(() -> alter(resource, true, op(OpType.SET, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "-5")))
            .hasCauseInstanceOf(InvalidConfigurationException.class);

        Config config = describe(resource);
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("60000");
        assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void unknownKeysAndBadValuesAreInvalidConfigsNamingTheKey() throws Exception {
        createTopic("invalid", 1, Map.of());
        ConfigResource resource = topic("invalid");

        assertThatThrownBy(() -> alter(resource, false, op(OpType.SET, "no.such.config", "1")))
            .hasCauseInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no.such.config");
        assertThatThrownBy(() -> alter(resource, false, op(OpType.SET, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "abc")))
            .hasCauseInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        assertThatThrownBy(() -> alter(resource, false, op(OpType.APPEND, TopicConfig.RETENTION_MS_CONFIG, "5")))
            .hasCauseInstanceOf(InvalidConfigurationException.class)
            .hasMessageContaining(TopicConfig.RETENTION_MS_CONFIG);
        assertThatThrownBy(() -> alter(topic("no-such-topic"), false,
            op(OpType.SET, TopicConfig.RETENTION_MS_CONFIG, "5")))
            .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(describe(resource).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).source())
            .isEqualTo(ConfigSource.DEFAULT_CONFIG);
    }

    @Test
    void brokerConfigsCannotBeAlteredDynamically() {
        assertThatThrownBy(() -> alter(new ConfigResource(ConfigResource.Type.BROKER, "1"), false,
            op(OpType.SET, "num.io.threads", "4")))
            .hasCauseInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("num.io.threads")
            .hasMessageContaining("server.properties");
        assertThatThrownBy(() -> alter(new ConfigResource(ConfigResource.Type.BROKER, ""), false,
            op(OpType.SET, "log.retention.ms", "4")))
            .hasCauseInstanceOf(InvalidRequestException.class);
    }

    @Test
    void aKeyGivenTwiceIsAnInvalidRequestAndChangesNothing() throws Exception {
        createTopic("twice", 1, Map.of());
        // The Admin client cannot send this (its ops are a map); other clients can.
        IncrementalAlterConfigsRequest request = new IncrementalAlterConfigsRequest.Builder(Map.of(topic("twice"),
            List.of(op(OpType.SET, TopicConfig.RETENTION_MS_CONFIG, "60000"),
                op(OpType.DELETE, TopicConfig.RETENTION_MS_CONFIG, null))), false).build((short) 1);
        IncrementalAlterConfigsResponse response;
        try (KafkaWire wire = new KafkaWire("127.0.0.1", server.port())) {
            response = wire.send(request);
        }

        assertThat(response.data().responses()).singleElement().satisfies(result -> {
            assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(result.errorMessage()).contains("duplicate config keys");
        });
        assertThat(describe(topic("twice")).get(TopicConfig.RETENTION_MS_CONFIG).value())
            .isEqualTo(BROKER_RETENTION_MS);
    }

    @Test
    void legacyAlterConfigsReplacesEveryOverride() throws Exception {
        createTopic("replaced", 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "60000"));

        AlterConfigsRequest request = new AlterConfigsRequest.Builder(Map.of(topic("replaced"),
            new AlterConfigsRequest.Config(List.of(new AlterConfigsRequest.ConfigEntry(
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "4096")))), false).build((short) 2);
        AlterConfigsResponse response;
        try (KafkaWire wire = new KafkaWire("127.0.0.1", server.port())) {
            response = wire.send(request);
        }

        assertThat(response.errors()).containsEntry(topic("replaced"), ApiError.NONE);
        Config config = describe(topic("replaced"));
        assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()).isEqualTo("4096");
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).as("the override left out is removed")
            .isEqualTo(BROKER_RETENTION_MS);
    }

    @Test
    void loweredMaxMessageBytesRefusesARecordItAcceptedBefore() throws Exception {
        createTopic("shrunk", 1, Map.of());
        byte[] value = new byte[3000];
        try (KafkaProducer<byte[], byte[]> producer = producer(false)) {
            producer.send(new ProducerRecord<>("shrunk", value)).get();

            alter(topic("shrunk"), false, op(OpType.SET, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000"));

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("shrunk", value)).get())
                .as(server::outputForFailure)
                .hasCauseInstanceOf(RecordTooLargeException.class);
        }
    }

    @Test
    void describeLogDirsShowsEachPartitionGrowAsRecordsArrive() throws Exception {
        createTopic("sized", 2, Map.of());
        TopicPartition partition = new TopicPartition("sized", 0);
        // A new partition opens in the background after CreateTopics answers; it is listed once open.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logDir().replicaInfos())
            .containsKeys(partition, new TopicPartition("sized", 1)));
        long sizeBefore = logDir().replicaInfos().get(partition).size();

        try (KafkaProducer<byte[], byte[]> producer = producer(true)) {
            for (int i = 0; i < 50; i++) {
                producer.send(new ProducerRecord<>("sized", 0, null, new byte[1024]));
            }
            producer.flush();
        }

        LogDirDescription after = logDir();
        ReplicaInfo replica = after.replicaInfos().get(partition);
        assertThat(replica.size()).isGreaterThanOrEqualTo(sizeBefore + 50 * 1024);
        assertThat(replica.offsetLag()).isZero();
        assertThat(replica.isFuture()).isFalse();
        assertThat(after.replicaInfos().get(new TopicPartition("sized", 1)).size()).isZero();
        assertThat(after.totalBytes().orElse(-1)).isPositive();
        assertThat(after.usableBytes().orElse(-1)).isPositive().isLessThanOrEqualTo(after.totalBytes().getAsLong());
    }

    private static LogDirDescription logDir() throws Exception {
        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1);
        assertThat(dirs).containsOnlyKeys(dir.resolve("data").toAbsolutePath().normalize().toString());
        LogDirDescription description = dirs.values().iterator().next();
        assertThat(description.error()).isNull();
        return description;
    }

    @Test
    void describeProducersShowsTheIdempotentProducersIdAndLastSequence() throws Exception {
        createTopic("produced", 1, Map.of());
        TopicPartition partition = new TopicPartition("produced", 0);
        try (KafkaProducer<byte[], byte[]> producer = producer(true)) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("produced", 0, null, new byte[10])).get();
            }
        }
        RecordBatch last = lastBatch(partition);

        Collection<ProducerState> producers = admin.describeProducers(List.of(partition)).partitionResult(partition)
            .get().activeProducers();

        assertThat(producers).singleElement().satisfies(state -> {
            assertThat(state.producerId()).isEqualTo(last.producerId()).isNotNegative();
            assertThat(state.producerEpoch()).isEqualTo(last.producerEpoch());
            assertThat(state.lastSequence()).isEqualTo(last.lastSequence()).isEqualTo(4);
            assertThat(state.lastTimestamp()).isPositive();
            assertThat(state.currentTransactionStartOffset()).isEmpty();
        });
    }

    @Test
    void describeProducersOfAPartitionThatDoesNotExistAnswersUnknownTopicOrPartition() throws Exception {
        createTopic("one-partition", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = producer(false)) {
            producer.send(new ProducerRecord<>("one-partition", new byte[1])).get(); // so partition 0 is open
        }
        // The Admin client retries this error until its timeout, as it does with Kafka; so ask directly.
        DescribeProducersRequest.Builder builder = new DescribeProducersRequest.Builder(new DescribeProducersRequestData());
        builder.addTopic("one-partition").partitionIndexes().addAll(List.of(0, 7));
        DescribeProducersResponse response;
        try (KafkaWire wire = new KafkaWire("127.0.0.1", server.port())) {
            response = wire.send(builder.build((short) 0));
        }

        assertThat(response.data().topics()).singleElement().satisfies(topic -> assertThat(topic.partitions())
            .extracting(p -> p.partitionIndex() + ":" + Errors.forCode(p.errorCode()))
            .containsExactly("0:NONE", "7:UNKNOWN_TOPIC_OR_PARTITION"));
    }

    /** The last record batch of a partition, read with a plain Fetch: it carries the producer id the client used. */
    private static RecordBatch lastBatch(TopicPartition partition) throws Exception {
        FetchRequest fetch = FetchRequest.Builder.forConsumer((short) 12, 0, 1, Map.of(partition,
            new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 1 << 20, Optional.empty()))).build((short) 12);
        FetchResponse response;
        try (KafkaWire wire = new KafkaWire("127.0.0.1", server.port())) {
            response = wire.send(fetch);
        }
        FetchResponseData.PartitionData data = response.responseData(Map.of(), (short) 12).get(partition);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        List<RecordBatch> batches = new ArrayList<>();
        FetchResponse.recordsOrFail(data).batches().forEach(batches::add);
        assertThat(batches).isNotEmpty();
        return batches.get(batches.size() - 1);
    }
}
