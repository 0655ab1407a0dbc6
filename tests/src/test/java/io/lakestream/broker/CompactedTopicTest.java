package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction as a Kafka consumer sees it against the real server: after many overwrites,
 * reading a compacted topic from the beginning gives exactly the latest value of each key,
 * at the offset it was written at; tombstones go once delete.retention.ms has passed; the
 * log end offset does not move.
 */
class CompactedTopicTest {
    private static final int KEYS = 200;
    private static final int ROUNDS = 15;

    private static LakestreamProcess server;

    @BeforeAll
    static void startServerCleaningOften(@TempDir Path dir) throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0, "log.cleaner.backoff.ms=300",
            "s3.upload.interval.ms=100");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stopCleanly();
        }
    }

    @Test
    void readingFromTheBeginningGivesTheLatestValueOfEachKeyAtItsOffset() throws Exception {
        String topic = "compacted-latest";
        createCompacted(topic, Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, "86400000"));
        Map<String, ConsumerRecordRef> latest = produceRounds(topic, ROUNDS, KEYS, List.of());
        long endOffset = endOffset(topic);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(readAll(topic)).as(() -> "records read from the beginning" + server.outputForFailure())
                .hasSize(KEYS));

        List<ConsumerRecord<String, String>> records = readAll(topic);
        Map<String, ConsumerRecordRef> read = new HashMap<>();
        records.forEach(r -> read.put(r.key(), new ConsumerRecordRef(r.offset(), r.value())));
        assertThat(read).isEqualTo(latest);
        assertThat(endOffset(topic)).as("compaction keeps every offset").isEqualTo(endOffset);
        assertThat(server.output()).contains("Cleaned " + topic + "-0 below offset");
    }

    @Test
    void tombstonesRemoveTheirKeyAndGoThemselvesAfterDeleteRetention() throws Exception {
        String topic = "compacted-tombstones";
        createCompacted(topic, Map.of(TopicConfig.DELETE_RETENTION_MS_CONFIG, "0"));
        List<String> deleted = List.of("key-3", "key-17", "key-150");
        Map<String, ConsumerRecordRef> latest = produceRounds(topic, 3, KEYS, deleted);
        deleted.forEach(latest::remove);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, ConsumerRecordRef> read = new HashMap<>();
            readAll(topic).forEach(r -> read.put(r.key(), new ConsumerRecordRef(r.offset(), r.value())));
            assertThat(read).as(() -> "latest records by key" + server.outputForFailure()).isEqualTo(latest);
        });
    }

    private record ConsumerRecordRef(long offset, String value) {}

    private static void createCompacted(String topic, Map<String, String> configs) throws Exception {
        Map<String, String> all = new HashMap<>(configs);
        all.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        all.put(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01");
        server.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(all))).all().get();
    }

    /**
     * Writes {@code rounds} values of every key, then a tombstone for each of {@code tombstones};
     * returns where the latest record of each key went (null value for a tombstone).
     */
    private static Map<String, ConsumerRecordRef> produceRounds(String topic, int rounds, int keys,
                                                                List<String> tombstones) throws Exception {
        Map<String, ConsumerRecordRef> latest = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (int round = 0; round < rounds; round++) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, 0, bytes("key-" + k), bytes(value(round, k)))));
                }
                for (int k = 0; k < keys; k++) {
                    latest.put("key-" + k, new ConsumerRecordRef(sent.get(k).get().offset(), value(round, k)));
                }
            }
            for (String key : tombstones) {
                RecordMetadata written = producer.send(new ProducerRecord<>(topic, 0, bytes(key), null)).get();
                latest.put(key, new ConsumerRecordRef(written.offset(), null));
            }
        }
        return latest;
    }

    private static String value(int round, int key) {
        return "value-" + round + "-of-" + key;
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic) {
        return TopicReader.readToEnd(server.bootstrap(), topic, new StringDeserializer(), new StringDeserializer());
    }

    private static long endOffset(String topic) throws Exception {
        TopicPartition partition = new TopicPartition(topic, 0);
        return server.admin().listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
