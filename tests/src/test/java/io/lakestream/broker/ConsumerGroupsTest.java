package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups served by Kafka's own group coordinator on our {@code __consumer_offsets}:
 * Java consumers of both group protocols share a topic, commit, and take over the partitions of
 * a member that leaves without losing a record; the Admin client lists, describes and deletes
 * groups and their offsets.
 */
class ConsumerGroupsTest {
    private static final int PARTITIONS = 6;

    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "offsets.topic.num.partitions=5",
        "group.initial.rebalance.delay.ms=0",
        "group.consumer.min.heartbeat.interval.ms=500",
        "group.consumer.heartbeat.interval.ms=1000");

    private final List<GroupMember> members = new ArrayList<>();

    @AfterEach
    void closeMembers() throws InterruptedException {
        for (GroupMember member : members) {
            member.close();
        }
    }

    private GroupMember join(String name, String group, String protocol, String topic) {
        GroupMember member = new GroupMember(name, SERVER.bootstrap(), group, protocol, topic);
        members.add(member);
        return member;
    }

    /** Sends {@code count} values "prefix-i", value i to partition i % partitions; returns them. */
    private static List<String> produce(String topic, String prefix, int count, int partitions) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = SERVER.process().producer(Map.of())) {
            for (int i = 0; i < count; i++) {
                String value = prefix + "-" + i;
                values.add(value);
                producer.send(new ProducerRecord<>(topic, i % partitions, null, value.getBytes()));
            }
            producer.flush();
        }
        return values;
    }

    private static Set<String> consumedBy(List<GroupMember> group) {
        return group.stream().flatMap(member -> member.values().stream()).collect(Collectors.toSet());
    }

    private static Set<TopicPartition> assignedTo(List<GroupMember> group) {
        Set<TopicPartition> assigned = new HashSet<>();
        group.forEach(member -> assigned.addAll(member.assignment()));
        return assigned;
    }

    /** The group's committed offsets as the Admin client lists them, by partition. */
    static Map<TopicPartition, Long> committedOffsets(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((tp, offset) -> offsets.put(tp, offset.offset()));
        return offsets;
    }

    private static Set<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toSet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void membersShareATopicAndTheRestTakeOverFromOneThatLeaves(String protocol) throws Exception {
        String topic = "shared-" + protocol;
        String group = "sharing-" + protocol;
        Admin admin = SERVER.admin();
        admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        List<String> first = produce(topic, "first", 600, PARTITIONS);
        List<GroupMember> group3 = List.of(join("a", group, protocol, topic), join("b", group, protocol, topic),
            join("c", group, protocol, topic));

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            group3.forEach(member -> assertThat(member.failures()).as(member.name()).isEmpty());
            assertThat(consumedBy(group3)).as("values consumed by the three members").containsAll(first);
            assertThat(group3).allSatisfy(member -> assertThat(member.assignment()).as(member.name()).isNotEmpty());
            assertThat(assignedTo(group3)).isEqualTo(partitions(topic, PARTITIONS));
        });
        ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(described.members()).hasSize(3);
        assertThat(described.type()).isEqualTo(protocol.equals("classic") ? GroupType.CLASSIC : GroupType.CONSUMER);

        GroupMember leaving = group3.get(0);
        leaving.close();
        List<GroupMember> remaining = group3.subList(1, 3);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
            assertThat(assignedTo(remaining)).as("partitions of the two remaining members")
                .isEqualTo(partitions(topic, PARTITIONS)));
        List<String> second = produce(topic, "second", 600, PARTITIONS);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            remaining.forEach(member -> assertThat(member.failures()).as(member.name()).isEmpty());
            assertThat(consumedBy(remaining)).as("values consumed after the leave").containsAll(second);
            assertThat(committedOffsets(admin, group)).as("committed offsets").isEqualTo(partitions(topic, PARTITIONS).stream()
                .collect(Collectors.toMap(tp -> tp, tp -> 200L)));
        });
        assertThat(leaving.failures()).isEmpty();
        Set<String> everything = consumedBy(group3);
        assertThat(everything).containsAll(first).containsAll(second).hasSize(1200);
    }

    @Test
    void clientsCannotWriteToTheOffsetsTopic() throws Exception {
        // The topic is created when a client first looks for a group coordinator, as in Kafka.
        SERVER.admin().listConsumerGroupOffsets("creates-the-offsets-topic").partitionsToOffsetAndMetadata().get();
        try (KafkaProducer<byte[], byte[]> producer = SERVER.process().producer(Map.of())) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topic.GROUP_METADATA_TOPIC_NAME, 0, null,
                "not a coordinator record".getBytes())).get())
                .hasCauseInstanceOf(InvalidTopicException.class);
        }
    }

    @Test
    void adminListsDescribesAndDeletesGroupsAndTheirOffsets() throws Exception {
        String topic = "admin-groups";
        String group = "administered";
        Admin admin = SERVER.admin();
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        List<String> values = produce(topic, "v", 10, 2);
        GroupMember member = join("only", group, "classic", topic);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
            assertThat(member.values()).containsExactlyInAnyOrderElementsOf(values));
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(committedOffsets(admin, group)).isEqualTo(Map.of(p0, 5L, p1, 5L)));

        assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId).contains(group);
        ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        assertThat(described.groupState()).isEqualTo(GroupState.STABLE);
        assertThat(described.members()).singleElement()
            .satisfies(m -> assertThat(m.assignment().topicPartitions()).containsExactlyInAnyOrder(p0, p1));
        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
            .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);

        member.close();
        assertThat(admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState())
            .isEqualTo(GroupState.EMPTY);
        admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all().get();
        assertThat(committedOffsets(admin, group)).isEqualTo(Map.of(p1, 5L));

        admin.deleteConsumerGroups(List.of(group)).all().get();
        assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId)
            .doesNotContain(group);
        assertThat(committedOffsets(admin, group)).isEmpty();
        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
            .hasCauseInstanceOf(GroupIdNotFoundException.class);
    }
}
