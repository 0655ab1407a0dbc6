package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka's own VerifiableConsumer, in a group of either protocol whose members join and leave
 * while Kafka's VerifiableProducer writes (keyed, so every partition gets records): every
 * acknowledged record is consumed, each member's successful commits never go backwards on a
 * partition, and in the end the group has committed every partition's end.
 */
class VerifiableConsumerGroupTest {
    private static final int PARTITIONS = 6;
    private static final int MESSAGES = 3_000;

    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "offsets.topic.num.partitions=5",
        "group.initial.rebalance.delay.ms=0",
        "group.consumer.min.heartbeat.interval.ms=500",
        "group.consumer.heartbeat.interval.ms=1000");

    @TempDir
    Path dir;
    private final List<VerifiableTool> tools = new ArrayList<>();

    @AfterEach
    void stopTools() throws InterruptedException {
        for (VerifiableTool tool : tools) {
            tool.close();
        }
    }

    private VerifiableTool consumer(String name, String topic, String group, String protocol) throws Exception {
        VerifiableTool tool = VerifiableTool.start(name, dir, "org.apache.kafka.tools.VerifiableConsumer", List.of(
            "--bootstrap-server", SERVER.bootstrap(), "--topic", topic, "--group-id", group,
            "--group-protocol", protocol, "--verbose", "--reset-policy", "earliest"));
        tools.add(tool);
        return tool;
    }

    /** The values of every record the consumers printed, with repeats (at-least-once allows them). */
    private static List<String> consumedValues(List<VerifiableTool> consumers) {
        List<String> values = new ArrayList<>();
        consumers.forEach(consumer -> consumer.events("record_data")
            .forEach(record -> values.add(record.get("value").asText())));
        return values;
    }

    private static String diagnostics(List<VerifiableTool> tools) {
        StringBuilder out = new StringBuilder(SERVER.log());
        tools.forEach(tool -> out.append(tool.stderr()));
        return out.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void everyRecordIsConsumedWhileMembersJoinAndLeave(String protocol) throws Exception {
        String topic = "verifiable-" + protocol;
        String group = "verifiable-" + protocol;
        SERVER.admin().createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        List<VerifiableTool> consumers = new ArrayList<>(List.of(consumer("a-" + protocol, topic, group, protocol),
            consumer("b-" + protocol, topic, group, protocol)));
        VerifiableTool producer = VerifiableTool.start("producer-" + protocol, dir,
            "org.apache.kafka.tools.VerifiableProducer", List.of("--bootstrap-server", SERVER.bootstrap(),
                "--topic", topic, "--max-messages", String.valueOf(MESSAGES), "--throughput", "200", "--acks", "-1",
                "--repeating-keys", "60"));
        tools.add(producer);

        // Membership changes while the producer runs: c joins, a leaves, d joins, b leaves.
        awaitConsumed(consumers, 300, tools);
        consumers.add(consumer("c-" + protocol, topic, group, protocol));
        awaitConsumed(consumers, 900, tools);
        assertThat(consumers.get(0).stop()).as("a stopped").isTrue();
        consumers.add(consumer("d-" + protocol, topic, group, protocol));
        awaitConsumed(consumers, 1_500, tools);
        assertThat(consumers.get(1).stop()).as("b stopped").isTrue();

        assertThat(producer.waitFor(120)).as(() -> "VerifiableProducer finished" + diagnostics(tools)).isTrue();
        Set<String> acked = producer.events("producer_send_success").stream()
            .map(event -> event.get("value").asText()).collect(Collectors.toSet());
        assertThat(acked).as(() -> "acknowledged records; send errors " + producer.events("producer_send_error")
            + ", tool data " + producer.events("tool_data") + diagnostics(tools)).hasSize(MESSAGES);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() ->
            assertThat(new HashSet<>(consumedValues(consumers))).as(() -> "values consumed by the group; "
                + summary(consumers)).containsAll(acked));

        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        // A partition that got no record has nothing to commit.
        SERVER.admin().listOffsets(latest).all().get().forEach((tp, info) -> {
            if (info.offset() > 0) {
                ends.put(tp, info.offset());
            }
        });
        assertThat(ends).as("partitions written").hasSizeGreaterThan(1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(ConsumerGroupsTest.committedOffsets(SERVER.admin(), group)).as("the group's committed offsets")
                .isEqualTo(ends));
        int commits = 0;
        for (VerifiableTool consumer : consumers) {
            commits += assertMonotonicCommits(consumer);
        }
        assertThat(commits).as("partition offsets committed by the members").isPositive();
        System.out.printf("VerifiableConsumerGroupTest[%s]: %d acknowledged, %d consumed (with repeats) by %d members%n",
            protocol, acked.size(), consumedValues(consumers).size(), consumers.size());
    }

    /** Each member: alive or not, its last assignment, and how many records it polled of each partition. */
    private static String summary(List<VerifiableTool> consumers) {
        StringBuilder out = new StringBuilder();
        for (VerifiableTool consumer : consumers) {
            List<JsonNode> assigned = consumer.events("partitions_assigned");
            Map<Integer, Integer> perPartition = new HashMap<>();
            consumer.events("record_data").forEach(r -> perPartition.merge(r.get("partition").asInt(), 1, Integer::sum));
            out.append(consumer.name()).append(consumer.isAlive() ? " alive" : " exited")
                .append(", assignments ").append(consumer.events("partitions_assigned"))
                .append(", revocations ").append(consumer.events("partitions_revoked"))
                .append(", polled ").append(perPartition)
                .append(", failed commits ").append(consumer.events("offsets_committed").stream()
                    .filter(c -> !c.path("success").asBoolean()).count())
                .append('\n');
        }
        return out.toString();
    }

    private static void awaitConsumed(List<VerifiableTool> consumers, int count, List<VerifiableTool> tools) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
            assertThat(new HashSet<>(consumedValues(consumers))).as(() -> "distinct values consumed"
                + diagnostics(tools)).hasSizeGreaterThanOrEqualTo(count));
    }

    /**
     * Within one member, what it successfully committed for a partition never goes backwards;
     * returns how many partition offsets it committed.
     */
    private static int assertMonotonicCommits(VerifiableTool consumer) {
        Map<TopicPartition, Long> last = new HashMap<>();
        int commits = 0;
        for (JsonNode commit : consumer.events("offsets_committed")) {
            if (!commit.path("success").asBoolean()) {
                continue;
            }
            for (JsonNode offset : commit.path("offsets")) {
                TopicPartition tp = new TopicPartition(offset.get("topic").asText(), offset.get("partition").asInt());
                long committed = offset.get("offset").asLong();
                Long previous = last.put(tp, committed);
                assertThat(committed).as("%s commit of %s after %s", consumer.name(), tp, previous)
                    .isGreaterThanOrEqualTo(previous == null ? 0 : previous);
                commits++;
            }
        }
        return commits;
    }
}
