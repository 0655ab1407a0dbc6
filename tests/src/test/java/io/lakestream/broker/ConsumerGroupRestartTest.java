package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A group's committed offsets and the group itself survive a broker restart: the new process
 * on the same data reloads {@code __consumer_offsets} into Kafka's coordinator, and a member
 * of the group resumes exactly where the group committed.
 */
class ConsumerGroupRestartTest {
    private static final String TOPIC = "resume";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 100;
    private static final String[] OVERRIDES = {"offsets.topic.num.partitions=3", "group.initial.rebalance.delay.ms=0"};

    @TempDir
    Path dir;
    private LakestreamProcess server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private KafkaConsumer<String, String> member(String group, String protocol) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void aGroupResumesFromItsCommittedOffsetsAfterARestart(String protocol) throws Exception {
        Path data = dir.resolve("data");
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        String group = "resuming-" + protocol;
        server = LakestreamProcess.start(data, port, controllerPort, OVERRIDES);
        server.admin().createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of())) {
            for (int i = 0; i < PARTITIONS * PER_PARTITION; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, ("v-" + i).getBytes()));
            }
        }
        Map<TopicPartition, Long> committed = Map.of(new TopicPartition(TOPIC, 0), 40L,
            new TopicPartition(TOPIC, 1), 50L, new TopicPartition(TOPIC, 2), 60L);
        try (KafkaConsumer<String, String> consumer = member(group, protocol)) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == PARTITIONS;
            });
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            committed.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
            consumer.commitSync(commit);
        }

        server.stopCleanly();
        server = LakestreamProcess.start(data, port, controllerPort, OVERRIDES);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(ConsumerGroupsTest.committedOffsets(server.admin(), group)).isEqualTo(committed));
        assertThat(server.admin().listConsumerGroups().all().get()).filteredOn(g -> g.groupId().equals(group))
            .singleElement().extracting(ConsumerGroupListing::groupState).isEqualTo(java.util.Optional.of(GroupState.EMPTY));
        int expected = PARTITIONS * PER_PARTITION - 150;
        List<ConsumerRecord<String, String>> resumed = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = member(group, protocol)) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(resumed::add);
                return resumed.size() >= expected;
            });
            consumer.commitSync();
        }
        assertThat(resumed).hasSize(expected);
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        for (ConsumerRecord<String, String> record : resumed) {
            firstOffsets.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
        }
        assertThat(firstOffsets).as("the first offset each partition resumed at").isEqualTo(committed);
        assertThat(ConsumerGroupsTest.committedOffsets(server.admin(), group)).as("committed after resuming")
            .containsOnlyKeys(committed.keySet()).allSatisfy((tp, offset) -> assertThat(offset).isEqualTo(100L));
        server.stopCleanly();
    }
}
