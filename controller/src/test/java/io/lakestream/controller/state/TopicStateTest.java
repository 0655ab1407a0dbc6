package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Topics, partitions, configs and the KV store on a real RocksDB state. */
class TopicStateTest extends ClusterStateFixture {

    @Test
    void createTopicMakesOneStreamPerPartitionAndSpreadsLeadersByCount() {
        register(1);
        register(2);
        register(3);
        createTopic("orders", 2);
        Uuid id = Uuid.randomUuid();

        TopicDescription payments = run(new ControllerCommand.CreateTopic("payments", id, 4, (short) 1,
            Map.of("retention.ms", "60000")));

        assertThat(payments.topicId()).isEqualTo(id);
        assertThat(payments.configs()).containsExactly(Map.entry("retention.ms", "60000"));
        assertThat(payments.partitions()).extracting(PartitionState::partition).containsExactly(0, 1, 2, 3);
        assertThat(payments.partitions()).as("broker 3 led nothing, 1 and 2 one partition each")
            .extracting(PartitionState::leader).containsExactly(3, 1, 2, 3);
        assertThat(payments.partitions()).extracting(PartitionState::leaderEpoch).containsOnly(0);
        for (PartitionState p : payments.partitions()) {
            StreamState stream = streams.describeStream(p.streamId()).join();
            assertThat(stream.open()).as("stream of partition %d", p.partition()).isFalse();
        }
        assertThat(payments.partitions()).extracting(PartitionState::streamId).doesNotHaveDuplicates();
        assertThat(ask(new ControllerQuery.DescribeTopics(List.of(), List.of(id)))).containsExactly(payments);
    }

    @Test
    void invalidTopicsAreRefusedWithKafkasErrors() {
        createTopic("orders", 1);
        assertRefusedChangingNothing(create("orders", 1, (short) 1, Map.of()), Errors.TOPIC_ALREADY_EXISTS);
        assertRefusedChangingNothing(new ControllerCommand.CreateTopic("other", topic("orders").topicId(), 1,
            (short) 1, Map.of()), Errors.TOPIC_ALREADY_EXISTS);
        assertRefusedChangingNothing(create("bad name!", 1, (short) 1, Map.of()), Errors.INVALID_TOPIC_EXCEPTION);
        assertRefusedChangingNothing(create("..", 1, (short) 1, Map.of()), Errors.INVALID_TOPIC_EXCEPTION);
        createTopic("a.b", 1);
        assertRefusedChangingNothing(create("a_b", 1, (short) 1, Map.of()), Errors.INVALID_TOPIC_EXCEPTION);
        assertRefusedChangingNothing(create("x", 0, (short) 1, Map.of()), Errors.INVALID_PARTITIONS);
        assertRefusedChangingNothing(create("x", -1, (short) 1, Map.of()), Errors.INVALID_PARTITIONS);
        assertThat(assertRefusedChangingNothing(create("x", 1, (short) 3, Map.of()),
            Errors.INVALID_REPLICATION_FACTOR)).hasMessageContaining("1 or -1");
        assertThat(assertRefusedChangingNothing(create("x", 1, (short) 1, Map.of("retention.ms", "soon")),
            Errors.INVALID_CONFIG)).hasMessageContaining("retention.ms");
        assertRefusedChangingNothing(create("x", 1, (short) 1, Map.of("no.such.config", "1")), Errors.INVALID_CONFIG);
        assertRefusedChangingNothing(new ControllerCommand.CreateTopic("x", Uuid.ZERO_UUID, 1, (short) 1, Map.of()),
            Errors.INVALID_REQUEST);
        assertThat(topic("x")).isNull();
    }

    @Test
    void deleteTopicByNameOrIdRemovesItsStreamsAndTheirObjectsBecomeGarbage() {
        register(1);
        TopicDescription orders = createTopic("orders", 2);
        TopicDescription payments = createTopic("payments", 1);
        long stream = orders.partition(0).streamId();
        long epoch = streams.openStream(stream, 1).join().epoch();
        long object = streams.prepareObjects(1, 60_000).join();
        streams.commitStreamSetObject(new CommitStreamSetObjectRequest(object, 1, 10,
            List.of(new StreamOffsetRange(stream, epoch, 0, 10)), List.of(), List.of())).join();

        assertThat(run(ControllerCommand.DeleteTopic.byName("orders"))).isEqualTo(orders);
        assertThat(run(ControllerCommand.DeleteTopic.byId(payments.topicId())).name()).isEqualTo("payments");

        assertThat(ask(ControllerQuery.DescribeTopics.all())).isEmpty();
        for (PartitionState p : orders.partitions()) {
            assertThat(streams.describeStream(p.streamId()).handle((s, e) -> e)).as("stream %d", p.streamId())
                .succeedsWithin(Duration.ofSeconds(1)).isNotNull();
        }
        assertThat(streams.openStreams(1).join()).isEmpty();
        clock.addAndGet(1_000);
        assertThat(streams.getObjectsToDestroy().join()).containsExactly(object);
        assertThat(createTopic("orders", 1).topicId()).as("the name is free again").isNotEqualTo(orders.topicId());
    }

    @Test
    void deletingAnUnknownTopicIsRefused() {
        assertRefusedChangingNothing(ControllerCommand.DeleteTopic.byName("nope"), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertRefusedChangingNothing(ControllerCommand.DeleteTopic.byId(Uuid.randomUuid()), Errors.UNKNOWN_TOPIC_ID);
    }

    @Test
    void createPartitionsAddsStreamsAndLeadersOnlyWhenTheTotalGrows() {
        register(1);
        register(2);
        TopicDescription before = createTopic("orders", 2);

        TopicDescription after = run(new ControllerCommand.CreatePartitions("orders", 5));

        assertThat(after.partitions().subList(0, 2)).isEqualTo(before.partitions());
        assertThat(after.partitions()).extracting(PartitionState::leader).containsExactly(1, 2, 1, 2, 1);
        assertThat(topic("orders")).isEqualTo(after);
        assertRefusedChangingNothing(new ControllerCommand.CreatePartitions("orders", 5), Errors.INVALID_PARTITIONS);
        assertRefusedChangingNothing(new ControllerCommand.CreatePartitions("orders", 3), Errors.INVALID_PARTITIONS);
        assertRefusedChangingNothing(new ControllerCommand.CreatePartitions("nope", 3),
            Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertRefusedChangingNothing(new ControllerCommand.CreatePartitions("orders", TopicCommands.MAX_PARTITIONS + 1),
            Errors.INVALID_PARTITIONS);
    }

    @Test
    void alterConfigsValidatesTheMergedResult() {
        createTopic("orders", 1, Map.of("retention.ms", "60000", "cleanup.policy", "compact"));

        Map<String, String> result = run(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("retention.ms", "120000"), ConfigOp.delete("cleanup.policy"),
                ConfigOp.set("max.message.bytes", "2048")), false));

        assertThat(result).containsExactly(Map.entry("max.message.bytes", "2048"), Map.entry("retention.ms", "120000"));
        assertThat(topic("orders").configs()).isEqualTo(result);
        assertRefusedChangingNothing(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("retention.ms", "1"), ConfigOp.set("max.message.bytes", "many")), false),
            Errors.INVALID_CONFIG);
        // As Kafka: deleting an override that is not there, even of a name it does not know, changes nothing.
        assertThat(run(new ControllerCommand.AlterTopicConfigs("orders", List.of(ConfigOp.delete("retention.msec")),
            false))).isEqualTo(result);
        assertThat(topic("orders").configs()).isEqualTo(result);
        assertRefusedChangingNothing(new ControllerCommand.AlterTopicConfigs("nope", List.of(), false),
            Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void validateOnlyAnswersTheMergedConfigsAndChangesNothing() {
        createTopic("orders", 1);
        var before = StateDump.withoutOffset(state);

        Map<String, String> result = run(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("retention.ms", "1000")), true));

        assertThat(result).containsExactly(Map.entry("retention.ms", "1000"));
        assertThat(StateDump.withoutOffset(state)).isEqualTo(before);
    }

    @Test
    void kvStoreSetsReplacesAndDeletesKeys() {
        run(new ControllerCommand.PutKv("a", new byte[] {1}));
        run(new ControllerCommand.PutKv("a", new byte[] {2, 3}));
        run(new ControllerCommand.PutKv("b", new byte[0]));

        assertThat(ask(new ControllerQuery.GetKv("a"))).containsExactly(2, 3);
        assertThat(ask(new ControllerQuery.GetKv("b"))).isEmpty();
        run(new ControllerCommand.DeleteKv("a"));
        run(new ControllerCommand.DeleteKv("never-set"));
        assertThat(ask(new ControllerQuery.GetKv("a"))).isNull();
        assertRefusedChangingNothing(new ControllerCommand.PutKv("", new byte[1]), Errors.INVALID_REQUEST);
        assertRefusedChangingNothing(new ControllerCommand.DeleteKv(""), Errors.INVALID_REQUEST);
    }

    @Test
    void kvPutIfAbsentKeepsTheFirstValueAndAnswersTheValueHeld() {
        assertThat((byte[]) run(new ControllerCommand.PutKvIfAbsent("slot", new byte[] {1}))).containsExactly(1);
        assertThat((byte[]) run(new ControllerCommand.PutKvIfAbsent("slot", new byte[] {2})))
            .as("a second writer of the slot learns the first one's value").containsExactly(1);
        assertThat(ask(new ControllerQuery.GetKv("slot"))).containsExactly(1);
        assertRefusedChangingNothing(new ControllerCommand.PutKvIfAbsent("", new byte[1]), Errors.INVALID_REQUEST);
    }

    @Test
    void replayingClusterCommandsOnAnotherReplicaGivesTheSameState() {
        long epoch = register(1);
        register(2);
        createTopic("orders", 3, Map.of("retention.ms", "1000"));
        run(new ControllerCommand.CreatePartitions("orders", 4));
        clock.addAndGet(SESSION_MS);
        heartbeat(1, epoch);
        fenceExpired();
        run(new ControllerCommand.AllocateProducerIds(1, epoch));
        run(new ControllerCommand.PutKv("k", new byte[] {9}));
        run(ControllerCommand.DeleteTopic.byName("orders"));
        createTopic("payments", 2);

        try (MetadataState replica = MetadataState.open(dir.resolve("replica"), "cluster-a", 1_000)) {
            for (byte[] entry : channel.log()) {
                LocalControllerChannel.applyEntry(replica, entry);
            }
            assertThat(StateDump.of(replica)).isEqualTo(StateDump.of(state));
        }
    }

    private static ControllerCommand.CreateTopic create(String name, int partitions, short rf,
                                                        Map<String, String> configs) {
        return new ControllerCommand.CreateTopic(name, Uuid.randomUuid(), partitions, rf, configs);
    }
}
