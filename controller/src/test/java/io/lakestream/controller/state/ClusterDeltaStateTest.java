package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The cluster_deltas table: what is recorded, what is not, and the snapshot for readers too far behind. */
class ClusterDeltaStateTest extends ClusterStateFixture {
    private static final int RETAINED = 5;

    @Override
    int retainedDeltas() {
        return RETAINED;
    }

    @Test
    void eachClusterChangeIsRecordedAtItsOffsetAndNothingElseIs() {
        long epoch = register(1);
        long registeredAt = state.appliedOffset();
        heartbeat(1, epoch);
        long stream = streams.createStream().join();
        streams.openStream(stream, 1).join();
        run(new ControllerCommand.PutKv("k", new byte[1]));
        run(new ControllerCommand.AllocateProducerIds(1, epoch));
        TopicDescription orders = createTopic("orders", 2);
        long createdAt = state.appliedOffset();
        run(new ControllerCommand.AlterTopicConfigs("orders", List.of(ConfigOp.set("retention.ms", "5")), false));
        long alteredAt = state.appliedOffset();

        ClusterDeltas deltas = ask(new ControllerQuery.GetClusterDeltas(0, 100));

        assertThat(deltas.snapshot()).isNull();
        assertThat(deltas.deltas()).extracting(ClusterDelta::offset).as("registration, creation, alteration only")
            .containsExactly(registeredAt, createdAt, alteredAt);
        assertThat(deltas.deltas().get(1).changes()).containsExactly(
            new ClusterChange.TopicChanged(orders.topicId(), "orders", Map.of()),
            new ClusterChange.PartitionChanged(orders.partition(0)),
            new ClusterChange.PartitionChanged(orders.partition(1)));
        assertThat(ask(new ControllerQuery.GetClusterDeltas(createdAt, 100)).deltas())
            .extracting(ClusterDelta::offset).containsExactly(alteredAt);
        assertThat(ask(new ControllerQuery.GetClusterDeltas(0, 2)).deltas()).hasSize(2);
    }

    @Test
    void clusterCommandsBatchedInOneEntryShareItsDeltaAndARefusedOneAddsNothing() {
        long offset = state.appliedOffset() + 1;
        Uuid first = Uuid.randomUuid();
        Uuid second = Uuid.randomUuid();
        List<CommandResult<?>> results = state.applyAll(1, offset, clock.get(), List.of(
            new ControllerCommand.CreateTopic("a", first, 1, (short) -1, Map.of()),
            new ControllerCommand.CreateTopic("a", Uuid.randomUuid(), 1, (short) -1, Map.of()),
            new ControllerCommand.CreateTopic("b", second, 1, (short) -1, Map.of())));

        assertThat(results.get(1).refusal()).as("second creation of a").isInstanceOf(ClusterMetadataException.class);
        ClusterDeltas deltas = ask(new ControllerQuery.GetClusterDeltas(0, 100));
        assertThat(deltas.deltas()).extracting(ClusterDelta::offset).containsExactly(offset);
        assertThat(deltas.deltas().get(0).changes()).extracting(change -> change instanceof ClusterChange.TopicChanged t
                ? t.topicId() : null)
            .containsExactly(first, null, second, null);
    }

    @Test
    void aSecondIncarnationRegisteredInTheSameEntryGetsANewerEpoch() {
        long offset = state.appliedOffset() + 1;
        List<BrokerListener> listeners = List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9001));
        List<CommandResult<?>> results = state.applyAll(1, offset, clock.get(), List.of(
            new ControllerCommand.RegisterBroker(1, Uuid.randomUuid(), listeners, null),
            new ControllerCommand.RegisterBroker(1, Uuid.randomUuid(), listeners, null)));

        assertThat(results.get(0).orThrow()).isEqualTo(offset);
        assertThat(results.get(1).orThrow()).isEqualTo(offset + 1);
    }

    @Test
    void onlyTheNewestDeltasAreKeptAndAReaderBehindThemGetsASnapshot() {
        for (int i = 0; i < RETAINED + 2; i++) {
            createTopic("t" + i, 1);
        }
        long oldestRetained = state.appliedOffset() - RETAINED + 1;

        ClusterDeltas behind = ask(new ControllerQuery.GetClusterDeltas(oldestRetained - 2, 100));
        assertThat(behind.snapshot()).as("a reader that missed a trimmed delta").isNotNull();
        assertThat(behind.deltas()).isEmpty();
        assertThat(behind.snapshot().offset()).isEqualTo(state.appliedOffset());
        assertThat(behind.snapshot().topics()).hasSize(RETAINED + 2)
            .isEqualTo(ask(ControllerQuery.DescribeTopics.all()));
        assertThat(ask(new ControllerQuery.GetClusterDeltas(0, 100)).snapshot()).isNotNull();

        ClusterDeltas caughtUp = ask(new ControllerQuery.GetClusterDeltas(oldestRetained - 1, 100));
        assertThat(caughtUp.snapshot()).isNull();
        assertThat(caughtUp.deltas()).extracting(ClusterDelta::offset).hasSize(RETAINED).startsWith(oldestRetained);
    }

    @Test
    void aReaderAheadOfTheStateStartsOverFromASnapshot() {
        createTopic("orders", 1);

        ClusterDeltas ahead = ask(new ControllerQuery.GetClusterDeltas(state.appliedOffset() + 100, 10));

        assertThat(ahead.snapshot()).as("a reader that followed a state since replaced").isNotNull();
        assertThat(ahead.snapshot().offset()).isEqualTo(state.appliedOffset());
        assertThat(ahead.snapshot().topics()).extracting(TopicDescription::name).containsExactly("orders");
        assertThat(ask(new ControllerQuery.GetClusterDeltas(state.appliedOffset(), 10)))
            .as("a reader exactly caught up").isEqualTo(new ClusterDeltas(null, List.of()));
    }
}
