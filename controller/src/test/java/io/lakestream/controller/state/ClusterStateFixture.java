package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real RocksDB state in a temp dir, driven through the command bytes, with cluster helpers. */
abstract class ClusterStateFixture {
    static final long SESSION_MS = 9_000;

    @TempDir
    Path dir;
    final AtomicLong clock = new AtomicLong(1_000_000);
    MetadataState state;
    LocalControllerChannel channel;
    ControllerStreamMetadata streams;

    int retainedDeltas() {
        return MetadataState.DEFAULT_RETAINED_CLUSTER_DELTAS;
    }

    /** The topic configs beyond Kafka's that the state accepts. */
    ConfigDef lakestreamTopicConfigs() {
        return new ConfigDef();
    }

    @BeforeEach
    void openState() {
        state = new MetadataState(MetadataStore.open(dir.resolve("db"), "cluster-a"), 1_000, retainedDeltas(),
            lakestreamTopicConfigs());
        channel = new LocalControllerChannel(state, clock::get);
        streams = new ControllerStreamMetadata(channel);
    }

    @AfterEach
    void closeState() {
        state.close();
    }

    <R> R run(ControllerCommand<R> command) {
        return channel.execute(command).join();
    }

    <R> R ask(ControllerQuery<R> query) {
        return channel.query(query).join();
    }

    long register(int nodeId) {
        return register(nodeId, Uuid.randomUuid());
    }

    long register(int nodeId, Uuid incarnation) {
        return run(new ControllerCommand.RegisterBroker(nodeId, incarnation,
            List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9000 + nodeId)), null));
    }

    HeartbeatResult heartbeat(int nodeId, long epoch) {
        return run(new ControllerCommand.BrokerHeartbeat(nodeId, epoch, false));
    }

    List<Integer> fenceExpired() {
        return run(new ControllerCommand.FenceExpiredBrokers(SESSION_MS));
    }

    TopicDescription createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    TopicDescription createTopic(String name, int partitions, Map<String, String> configs) {
        return run(new ControllerCommand.CreateTopic(name, Uuid.randomUuid(), partitions, (short) -1, configs));
    }

    TopicDescription topic(String name) {
        List<TopicDescription> found = ask(new ControllerQuery.DescribeTopics(List.of(name), List.of()));
        return found.isEmpty() ? null : found.get(0);
    }

    /** Applies {@code command}, expects it refused with {@code error}, and that only the offset moved. */
    ClusterMetadataException assertRefusedChangingNothing(ControllerCommand<?> command, Errors error) {
        Map<String, Map<String, String>> before = StateDump.withoutOffset(state);
        long offset = state.appliedOffset();
        CommandResult<?> result = state.apply(1, offset + 1, clock.get(), command);
        assertThat(result.refusal()).as("refusal of %s", command).isInstanceOf(ClusterMetadataException.class);
        ClusterMetadataException refusal = (ClusterMetadataException) result.refusal();
        assertThat(refusal.error()).as("error of %s: %s", command, refusal.getMessage()).isEqualTo(error);
        assertThat(StateDump.withoutOffset(state)).as("state after the refused %s", command).isEqualTo(before);
        assertThat(state.appliedOffset()).isEqualTo(offset + 1);
        return refusal;
    }
}
