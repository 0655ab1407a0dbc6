package io.lakestream.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.lakestream.broker.KafkaWire;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignmentCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CreateTopics, DeleteTopics, CreatePartitions and Metadata: the same requests to Apache Kafka
 * and to Lakestream get the same answers (error codes, and the shape of what succeeds), through
 * raw requests, since the Admin client turns some of these answers into retries.
 */
class TopicAdminCompatTest {
    @RegisterExtension
    static final SideBySide servers = new SideBySide();

    @Test
    void createTopicsAnswersEveryKindOfBadInputAsKafkaDoes() throws Exception {
        Map<String, CreatableTopic> cases = new LinkedHashMap<>();
        cases.put("valid", topic("ct-valid", 2, (short) 1));
        cases.put("default partitions and replication factor", topic("ct-defaults", -1, (short) -1));
        cases.put("valid with overrides", topic("ct-overrides", 1, (short) 1, "retention.ms", "-1",
            "cleanup.policy", "compact,delete", "compression.type", "zstd", "message.timestamp.type", "LogAppendTime"));
        cases.put("space in the name", topic("ct bad", 1, (short) 1));
        cases.put("name '..'", topic("..", 1, (short) 1));
        cases.put("empty name", topic("", 1, (short) 1));
        cases.put("name of 250 characters", topic("a".repeat(250), 1, (short) 1));
        cases.put("zero partitions", topic("ct-zero-partitions", 0, (short) 1));
        cases.put("negative partitions", topic("ct-negative-partitions", -5, (short) 1));
        cases.put("replication factor 3 on one broker", topic("ct-rf3", 1, (short) 3));
        cases.put("replication factor 0", topic("ct-rf0", 1, (short) 0));
        cases.put("replication factor -2", topic("ct-rf-2", 1, (short) -2));
        cases.put("unknown config", topic("ct-unknown-config", 1, (short) 1, "no.such.config", "1"));
        cases.put("retention.ms not a number", topic("ct-bad-retention", 1, (short) 1, "retention.ms", "abc"));
        cases.put("cleanup.policy unknown", topic("ct-bad-cleanup", 1, (short) 1, "cleanup.policy", "foo"));
        cases.put("max.message.bytes negative", topic("ct-bad-max-bytes", 1, (short) 1, "max.message.bytes", "-1"));
        cases.put("config with a null value", topic("ct-null-config", 1, (short) 1, "retention.ms", null));
        cases.put("an assignment and a partition count", topic("ct-assigned-and-counted", 1, (short) -1)
            .setAssignments(assignment(ApacheKafkaProcess.NODE_ID)));
        cases.put("an assignment to an unknown broker", topic("ct-assigned-unknown", -1, (short) -1)
            .setAssignments(assignment(7)));
        Map<String, String> expected = Map.ofEntries(
            Map.entry("valid", "NONE"),
            Map.entry("default partitions and replication factor", "NONE"),
            Map.entry("valid with overrides", "NONE"),
            Map.entry("space in the name", "INVALID_TOPIC_EXCEPTION"),
            Map.entry("name '..'", "INVALID_TOPIC_EXCEPTION"),
            Map.entry("empty name", "INVALID_TOPIC_EXCEPTION"),
            Map.entry("name of 250 characters", "INVALID_TOPIC_EXCEPTION"),
            Map.entry("zero partitions", "INVALID_PARTITIONS"),
            Map.entry("negative partitions", "INVALID_PARTITIONS"),
            Map.entry("replication factor 3 on one broker", "INVALID_REPLICATION_FACTOR"),
            Map.entry("replication factor 0", "INVALID_REPLICATION_FACTOR"),
            Map.entry("replication factor -2", "INVALID_REPLICATION_FACTOR"),
            Map.entry("unknown config", "INVALID_CONFIG"),
            Map.entry("retention.ms not a number", "INVALID_CONFIG"),
            Map.entry("cleanup.policy unknown", "INVALID_CONFIG"),
            Map.entry("max.message.bytes negative", "INVALID_CONFIG"),
            Map.entry("config with a null value", "INVALID_CONFIG"),
            Map.entry("an assignment and a partition count", "INVALID_REQUEST"),
            Map.entry("an assignment to an unknown broker", "INVALID_REPLICA_ASSIGNMENT"));
        // Validate-only first: it must create nothing, so the real run after it sees the same state.
        for (boolean validateOnly : List.of(true, false)) {
            Map<String, JsonNode> kafka = servers.assertSameForEach(cases,
                (server, topic) -> createTopics(server, validateOnly, topic));
            kafka.forEach((name, result) -> assertThat(result.at("/topics/0/errorCode").asText())
                .as("%s%s", name, validateOnly ? " (validate only)" : "").isEqualTo(expected.get(name)));
        }
    }

    @Test
    void createTopicsOfAnExistingTopicIsRefused() throws Exception {
        JsonNode kafka = servers.<List<JsonNode>>assertSame("create twice", server -> {
            server.admin().createTopics(List.of(new NewTopic("ct-existing", 1, (short) 1))).all().get();
            return List.of(createTopics(server, true, topic("ct-existing", 1, (short) 1)),
                createTopics(server, false, topic("ct-existing", 3, (short) 1)));
        }).get(1);
        assertThat(kafka.at("/topics/0/errorCode").asText()).isEqualTo("TOPIC_ALREADY_EXISTS");
    }

    @Test
    void createTopicsWithTheSameTopicTwiceInOneRequest() throws Exception {
        servers.assertSame("one topic twice in a request",
            server -> createTopics(server, false, topic("ct-twice", 1, (short) 1), topic("ct-twice", 2, (short) 1)));
    }

    @Test
    void deleteTopicsOfUnknownTopicsByNameAndId() throws Exception {
        JsonNode kafka = servers.assertSame("delete unknown topics", server -> {
            Uuid existingId = Requests.createTopic(server.admin(), "dt-existing", 1, Map.of());
            try (KafkaWire wire = server.connect()) {
                DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(30_000);
                data.topics().add(new DeleteTopicState().setName("dt-unknown"));
                data.topics().add(new DeleteTopicState().setTopicId(Uuid.randomUuid()));
                data.topics().add(new DeleteTopicState().setName("dt bad name"));
                data.topics().add(new DeleteTopicState().setTopicId(existingId));
                return sortedByName(Observed.json(wire.send(new DeleteTopicsRequest.Builder(data))), "/responses");
            }
        });
        assertThat(kafka.toString()).contains("UNKNOWN_TOPIC_OR_PARTITION", "UNKNOWN_TOPIC_ID");
    }

    @Test
    void aDeletedTopicIsUnknownByIdAndItsNameCanBeCreatedAgain() throws Exception {
        List<JsonNode> kafka = servers.assertSame("a deleted topic", server -> {
            Uuid oldId = Requests.createTopic(server.admin(), "dt-reused", 2, Map.of());
            server.admin().deleteTopics(List.of("dt-reused")).all().get();
            try (KafkaWire wire = server.connect()) {
                // The broker learns of the deletion from its controller a moment after the answer.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    MetadataResponse response = wire.send(new MetadataRequest.Builder(new MetadataRequestData()
                        .setAllowAutoTopicCreation(false)
                        .setTopics(List.of(new MetadataRequestTopic().setName("dt-reused")))));
                    return response.topicMetadata().iterator().next().error() == Errors.UNKNOWN_TOPIC_OR_PARTITION;
                });
                JsonNode produced = Observed.json(wire.send(Requests.produce("dt-reused", oldId, 0,
                    Requests.records(new long[] {1_000}, "v".getBytes()))));
                JsonNode fetched = Observed.json(wire.send(Requests.fetch("dt-reused", oldId, 0, 0, Requests.NO_EPOCH)));
                Uuid newId = Requests.createTopic(server.admin(), "dt-reused", 1, Map.of());
                MetadataRequestData byIds = new MetadataRequestData().setAllowAutoTopicCreation(false);
                byIds.topics().add(new MetadataRequestTopic().setTopicId(oldId));
                JsonNode oldIdAfter = Observed.json(wire.send(new MetadataRequest.Builder(byIds)));
                JsonNode created = Observed.json(wire.send(new MetadataRequest.Builder(new MetadataRequestData()
                    .setAllowAutoTopicCreation(false).setTopics(List.of(new MetadataRequestTopic().setName("dt-reused"))))));
                assertThat(newId).isNotEqualTo(oldId);
                return List.of(produced, fetched, oldIdAfter, created);
            }
        });
        assertThat(kafka.get(0).toString()).contains("UNKNOWN_TOPIC_ID");
    }

    @Test
    void createPartitionsAnswersBadCountsAsKafkaDoes() throws Exception {
        Map<String, CreatePartitionsTopic> cases = new LinkedHashMap<>();
        cases.put("unknown topic", partitions("cp-unknown", 4));
        cases.put("fewer partitions", partitions("cp-topic", 2));
        cases.put("the same number", partitions("cp-topic", 3));
        cases.put("zero", partitions("cp-topic", 0));
        cases.put("a wrong-sized manual assignment", partitions("cp-topic", 5).setAssignments(List.of(
            new CreatePartitionsAssignment().setBrokerIds(List.of(ApacheKafkaProcess.NODE_ID)))));
        cases.put("more", partitions("cp-topic", 5));
        for (boolean validateOnly : List.of(true, false)) {
            servers.assertSameForEach(cases, (server, topic) -> {
                if (!server.admin().listTopics().names().get().contains("cp-topic")) {
                    Requests.createTopic(server.admin(), "cp-topic", 3, Map.of());
                }
                try (KafkaWire wire = server.connect()) {
                    CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(30_000)
                        .setValidateOnly(validateOnly);
                    data.topics().add(topic.duplicate());
                    return Observed.json(wire.send(new CreatePartitionsRequest.Builder(data)));
                }
            });
        }
        int partitionCount = servers.assertSame("partitions after the changes", server ->
            server.admin().describeTopics(List.of("cp-topic")).allTopicNames().get().get("cp-topic").partitions().size());
        assertThat(partitionCount).isEqualTo(5);
    }

    @Test
    void metadataOfExistingUnknownAndInvalidTopics() throws Exception {
        JsonNode kafka = servers.assertSame("metadata", server -> {
            Requests.createTopic(server.admin(), "md-existing", 2, Map.of());
            try (KafkaWire wire = server.connect()) {
                MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
                for (String name : List.of("md-existing", "md-unknown", "md bad name", "__consumer_offsets")) {
                    data.topics().add(new MetadataRequestTopic().setName(name));
                }
                return sortedByName(Observed.json(wire.send(new MetadataRequest.Builder(data))), "/topics");
            }
        });
        assertThat(kafka.toString()).contains("UNKNOWN_TOPIC_OR_PARTITION", "INVALID_TOPIC_EXCEPTION", "<topic id>");
    }

    @Test
    void metadataByUnknownTopicId() throws Exception {
        servers.assertSame("metadata by unknown id", server -> {
            try (KafkaWire wire = server.connect()) {
                MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
                data.topics().add(new MetadataRequestTopic().setTopicId(Uuid.randomUuid()));
                return Observed.json(wire.send(new MetadataRequest.Builder(data)));
            }
        });
    }

    @Test
    void metadataCreatesAnUnknownTopicWhenAllowed() throws Exception {
        List<JsonNode> kafka = servers.assertSame("auto-creation through metadata", server -> {
            try (KafkaWire wire = server.connect()) {
                MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(true);
                data.topics().add(new MetadataRequestTopic().setName("md-auto"));
                data.topics().add(new MetadataRequestTopic().setName("md auto bad name"));
                JsonNode first = sortedByName(Observed.json(wire.send(new MetadataRequest.Builder(data))), "/topics");
                MetadataResponse created = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> wire.send(new MetadataRequest.Builder(new MetadataRequestData()
                            .setAllowAutoTopicCreation(false)
                            .setTopics(List.of(new MetadataRequestTopic().setName("md-auto"))))),
                        response -> response.topicMetadata().iterator().next().error() == Errors.NONE);
                return List.of(first, Observed.json(created));
            }
        });
        assertThat(kafka.get(1).at("/topics/0/errorCode").asText()).isEqualTo("NONE");
    }

    @Test
    void metadataWithAutoCreationOfTheOffsetsTopic() throws Exception {
        List<JsonNode> kafka = servers.assertSame("metadata of __consumer_offsets, auto-creation allowed", server -> {
            try (KafkaWire wire = server.connect()) {
                MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(true)
                    .setTopics(List.of(new MetadataRequestTopic().setName("__consumer_offsets")));
                JsonNode first = Observed.json(wire.send(new MetadataRequest.Builder(data)));
                MetadataResponse created = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> wire.send(new MetadataRequest.Builder(data.duplicate().setAllowAutoTopicCreation(false))),
                        response -> response.topicMetadata().iterator().next().error() == Errors.NONE);
                return List.of(first, Observed.json(created));
            }
        });
        assertThat(kafka.get(0).at("/topics/0/isInternal").asBoolean()).isTrue();
        assertThat(kafka.get(1).at("/topics/0/isInternal").asBoolean()).isTrue();
    }

    private static JsonNode createTopics(SideBySide.Server server, boolean validateOnly, CreatableTopic... topics)
        throws Exception {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(30_000).setValidateOnly(validateOnly);
        for (CreatableTopic topic : topics) {
            data.topics().add(topic.duplicate());
        }
        try (KafkaWire wire = server.connect()) {
            return Observed.json(wire.send(new CreateTopicsRequest.Builder(data)));
        }
    }

    private static CreatableTopic topic(String name, int partitions, short replicationFactor, String... configs) {
        CreatableTopic topic = new CreatableTopic().setName(name).setNumPartitions(partitions)
            .setReplicationFactor(replicationFactor);
        for (int i = 0; i < configs.length; i += 2) {
            topic.configs().add(new CreatableTopicConfig().setName(configs[i]).setValue(configs[i + 1]));
        }
        return topic;
    }

    /** One partition on {@code broker}. */
    private static CreatableReplicaAssignmentCollection assignment(int broker) {
        CreatableReplicaAssignmentCollection assignments = new CreatableReplicaAssignmentCollection();
        assignments.add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(broker)));
        return assignments;
    }

    private static CreatePartitionsTopic partitions(String name, int count) {
        return new CreatePartitionsTopic().setName(name).setCount(count).setAssignments(null);
    }

    /** The array at {@code pointer} ordered by its elements' names: Kafka answers in an order of its own. */
    static JsonNode sortedByName(JsonNode json, String pointer) {
        ArrayNode array = (ArrayNode) json.at(pointer);
        List<JsonNode> elements = new ArrayList<>();
        array.forEach(elements::add);
        elements.sort(Comparator.comparing(e -> e.path("name").asText() + e.path("topicId").asText()));
        array.removeAll();
        array.addAll(elements);
        return json;
    }
}
