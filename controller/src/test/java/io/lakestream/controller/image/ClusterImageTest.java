package io.lakestream.controller.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.state.LocalControllerChannel;
import io.lakestream.controller.state.MetadataState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image built from deltas is the image built from a snapshot of the same state. */
class ClusterImageTest {
    private static final long SESSION_MS = 9_000;

    @TempDir
    Path dir;

    @Test
    void deltasAppliedOneByOneGiveTheSnapshotsImage() {
        AtomicLong clock = new AtomicLong(1_000_000);
        try (MetadataState state = MetadataState.open(dir.resolve("db"), "c", 1_000)) {
            LocalControllerChannel channel = new LocalControllerChannel(state, clock::get);
            runRandomClusterCommands(channel, clock, new Random(42), 300);

            ClusterImage fromDeltas = ClusterImage.EMPTY;
            List<ClusterImage> history = new ArrayList<>();
            for (ClusterDelta delta : channel.query(new ControllerQuery.GetClusterDeltas(0, 100_000)).join().deltas()) {
                history.add(fromDeltas);
                fromDeltas = fromDeltas.apply(delta);
            }
            ClusterDeltas snapshot = channel.query(new ControllerQuery.GetClusterDeltas(-1, 1)).join();
            assertThat(snapshot.snapshot()).as("offset -1 asks for a snapshot").isNotNull();
            ClusterImage fromSnapshot = ClusterImage.of(snapshot.snapshot());

            assertThat(fromSnapshot.offset()).isEqualTo(state.appliedOffset());
            assertThat(List.copyOf(fromDeltas.brokers())).isEqualTo(List.copyOf(fromSnapshot.brokers()));
            assertThat(List.copyOf(fromDeltas.topics())).isEqualTo(List.copyOf(fromSnapshot.topics()));
            assertThat(fromDeltas.fencedBrokerCount()).isEqualTo(fromSnapshot.fencedBrokerCount());
            assertThat(history.get(0)).as("applying never changes the image it starts from")
                .isSameAs(ClusterImage.EMPTY);
            assertThat(ClusterImage.EMPTY.topics()).isEmpty();
        }
    }

    @Test
    void aDeltaAtOrBeforeTheImagesOffsetIsRefused() {
        ClusterImage image = ClusterImage.EMPTY.apply(new ClusterDelta(5, List.of()));
        assertThatThrownBy(() -> image.apply(new ClusterDelta(5, List.of())))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 5");
    }

    /** Brokers come, heartbeat, go quiet and shut down; topics are created, grown, altered and deleted. */
    private static void runRandomClusterCommands(LocalControllerChannel channel, AtomicLong clock, Random random,
                                                 int steps) {
        Map<Integer, Long> epochs = new HashMap<>();
        List<String> topics = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int node = random.nextInt(4);
            String topic = topics.isEmpty() ? null : topics.get(random.nextInt(topics.size()));
            ControllerCommand<?> command;
            switch (random.nextInt(8)) {
                case 0 -> command = new ControllerCommand.RegisterBroker(node, Uuid.randomUuid(),
                    List.of(new BrokerListener("PLAINTEXT", "h" + node, 9092)), random.nextBoolean() ? "r" : null);
                case 1 -> command = new ControllerCommand.BrokerHeartbeat(node, epochs.getOrDefault(node, -1L),
                    random.nextInt(10) == 0);
                case 2 -> {
                    clock.addAndGet(random.nextInt((int) SESSION_MS));
                    command = new ControllerCommand.FenceExpiredBrokers(SESSION_MS);
                }
                case 3, 4 -> {
                    String name = "t" + step;
                    topics.add(name);
                    command = new ControllerCommand.CreateTopic(name, Uuid.randomUuid(), 1 + random.nextInt(4),
                        (short) 1, Map.of());
                }
                case 5 -> command = topic == null ? null
                    : new ControllerCommand.CreatePartitions(topic, 5 + random.nextInt(3));
                case 6 -> command = topic == null ? null : new ControllerCommand.AlterTopicConfigs(topic,
                    List.of(ConfigOp.set("retention.ms", String.valueOf(step))), false);
                default -> {
                    command = topic == null ? null : ControllerCommand.DeleteTopic.byName(topic);
                    topics.remove(topic);
                }
            }
            if (command == null) {
                continue;
            }
            Object result = channel.execute(command).exceptionally(e -> null).join();
            if (command instanceof ControllerCommand.RegisterBroker && result != null) {
                epochs.put(node, (Long) result);
            }
        }
    }
}
