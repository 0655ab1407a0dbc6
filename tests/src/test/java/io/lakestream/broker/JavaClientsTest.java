package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The unchanged Java producer, consumer and Admin client (kafka-clients 4.x) against the real server process. */
class JavaClientsTest {
    @TempDir
    static Path dir;
    private static LakestreamProcess server;
    private static Admin admin;

    @BeforeAll
    static void startServer() throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0);
        admin = server.admin();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stopCleanly();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String compression) {
        return server.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.COMPRESSION_TYPE_CONFIG, compression, ProducerConfig.LINGER_MS_CONFIG, 5));
    }

    private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int expected) {
        return TopicReader.readFromBeginning(server.bootstrap(), topic, expected, new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void producedRecordsAreConsumedInOrderWithEveryCompressionCodec(String compression) throws Exception {
        String topic = "codec-" + compression;
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        int count = 300;
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(compression)) {
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, i % 3, bytes("k" + i), bytes("v" + i))));
            }
            producer.flush();
        }
        for (int i = 0; i < count; i++) {
            int record = i;
            assertThatCode(() -> sends.get(record).get())
                .as(() -> "send of record " + record + server.outputForFailure())
                .doesNotThrowAnyException();
        }

        List<ConsumerRecord<byte[], byte[]>> records = consumeAll(topic, count);

        for (int partition = 0; partition < 3; partition++) {
            int p = partition;
            List<ConsumerRecord<byte[], byte[]>> inPartition = records.stream().filter(r -> r.partition() == p).toList();
            assertThat(inPartition).extracting(ConsumerRecord::offset).as(() -> "offsets read from partition " + p
                    + server.outputForFailure())
                .containsExactlyElementsOf(LongStream.range(0, count / 3).boxed().toList());
            assertThat(inPartition).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .as("values of partition %d", p)
                .containsExactlyElementsOf(IntStream.range(0, count / 3).mapToObj(i -> "v" + (p + 3 * i)).toList());
        }
    }

    @Test
    void headersNullKeysAndNullValuesRoundTrip() throws Exception {
        String topic = "headers";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = producer("none")) {
            ProducerRecord<byte[], byte[]> withHeaders = new ProducerRecord<>(topic, 0, null, bytes("value"));
            withHeaders.headers().add(new RecordHeader("trace", bytes("abc")));
            producer.send(withHeaders).get();
            producer.send(new ProducerRecord<>(topic, 0, bytes("tombstone"), null)).get();
        }

        List<ConsumerRecord<byte[], byte[]>> records = consumeAll(topic, 2);

        assertThat(records).hasSize(2);
        assertThat(records.get(0).key()).isNull();
        assertThat(records.get(0).headers().lastHeader("trace").value()).isEqualTo(bytes("abc"));
        assertThat(records.get(1).value()).isNull();
        assertThat(records.get(1).key()).isEqualTo(bytes("tombstone"));
    }

    @Test
    void recordNearMaxMessageBytesIsAcceptedAndALargerOneIsRefused() throws Exception {
        String topic = "large";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
            .configs(Map.of("max.message.bytes", "200000")))).all().get();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
            new ByteArraySerializer())) {
            RecordMetadata accepted = producer.send(new ProducerRecord<>(topic, new byte[199_000])).get();
            assertThat(accepted.offset()).isZero();

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, new byte[300_000])).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RecordTooLargeException.class);
        }
        assertThat(consumeAll(topic, 1)).singleElement().satisfies(r -> assertThat(r.value()).hasSize(199_000));
    }

    @Test
    void offsetsByTimestampEarliestAndLatest() throws Exception {
        String topic = "timestamps";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = producer("none")) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, 1_000L * (i + 1), null, bytes("v" + i))).get();
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);

        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset()).isZero();
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(10);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.forTimestamp(4_500))).partitionResult(tp).get().offset())
            .isEqualTo(4);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.maxTimestamp())).partitionResult(tp).get().offset())
            .isEqualTo(9);
    }

    @Test
    void adminCreatesDescribesGrowsAndDeletesTopics() throws Exception {
        admin.createTopics(List.of(new NewTopic("admin-topic", 2, (short) 1))).all().get();

        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("admin-topic", 2, (short) 1))).all().get())
            .hasCauseInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("three-replicas", 1, (short) 3))).all().get())
            .hasCauseInstanceOf(InvalidReplicationFactorException.class);

        admin.createPartitions(Map.of("admin-topic", NewPartitions.increaseTo(5))).all().get();
        assertThat(admin.describeTopics(List.of("admin-topic")).allTopicNames().get().get("admin-topic").partitions())
            .hasSize(5);
        assertThat(admin.describeCluster().nodes().get()).hasSize(1);

        admin.deleteTopics(List.of("admin-topic")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("admin-topic");
    }
}
