package io.lakestream.controller.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.state.LocalControllerChannel;
import io.lakestream.controller.state.MetadataState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker-side image follows a real RocksDB state through the query bytes. */
class ClusterImageFollowerTest {
    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private MetadataState state;
    private LocalControllerChannel channel;
    private ClusterImageFollower follower;

    @AfterEach
    void close() {
        if (follower != null) {
            follower.close();
        }
        state.close();
    }

    @Test
    void followerSeesTopicCreatedGrownReconfiguredAndDeletedInOrder() {
        open(1_000);
        follower = new ClusterImageFollower(channel, Duration.ofMillis(20), 100);
        List<ClusterImage[]> published = new CopyOnWriteArrayList<>();
        follower.addListener((oldImage, newImage) -> published.add(new ClusterImage[] {oldImage, newImage}));
        follower.start();

        run(new ControllerCommand.RegisterBroker(1, Uuid.randomUuid(),
            List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9092)), "rack-a"));
        awaitCaughtUp();
        assertThat(follower.image().broker(1).rack()).isEqualTo("rack-a");
        Uuid id = Uuid.randomUuid();
        run(new ControllerCommand.CreateTopic("orders", id, 2, (short) 1, Map.of()));
        ClusterImage created = awaitCaughtUp();
        run(new ControllerCommand.CreatePartitions("orders", 3));
        ClusterImage grown = awaitCaughtUp();
        run(new ControllerCommand.AlterTopicConfigs("orders", List.of(ConfigOp.set("retention.ms", "1000")), false));
        ClusterImage altered = awaitCaughtUp();
        run(ControllerCommand.DeleteTopic.byId(id));
        ClusterImage deleted = awaitCaughtUp();

        assertThat(created.topic("orders").partitions()).extracting(PartitionState::leader).containsExactly(1, 1);
        assertThat(created.topic(id)).isSameAs(created.topic("orders"));
        assertThat(grown.topic("orders").partitionCount()).isEqualTo(3);
        assertThat(grown.partition("orders", 2).streamId()).isNotIn(
            created.partition("orders", 0).streamId(), created.partition("orders", 1).streamId());
        assertThat(altered.topic("orders").configs()).containsExactly(Map.entry("retention.ms", "1000"));
        assertThat(deleted.topic("orders")).isNull();
        assertThat(deleted.topic(id)).isNull();
        assertThat(created.topic("orders").configs()).as("older images do not change").isEmpty();

        List<Long> offsets = new ArrayList<>();
        for (ClusterImage[] pair : published) {
            assertThat(pair[1].offset()).isGreaterThan(pair[0].offset());
            offsets.add(pair[1].offset());
        }
        assertThat(offsets).as("each image once, in offset order").isSorted().doesNotHaveDuplicates()
            .contains(created.offset(), grown.offset(), altered.offset(), deleted.offset());
        assertThat(published.get(0)[0]).isSameAs(ClusterImage.EMPTY);
    }

    @Test
    void followerTooFarBehindStartsOverFromASnapshot() throws Exception {
        open(3);
        follower = new ClusterImageFollower(channel, Duration.ofMillis(20), 100);
        run(new ControllerCommand.CreateTopic("early", Uuid.randomUuid(), 1, (short) 1, Map.of()));
        assertThat(follower.pollOnce()).isEqualTo(1);
        ClusterImage early = follower.image();
        for (int i = 0; i < 5; i++) {
            run(new ControllerCommand.CreateTopic("t" + i, Uuid.randomUuid(), 1, (short) 1, Map.of()));
        }
        run(ControllerCommand.DeleteTopic.byName("early"));

        assertThat(follower.pollOnce()).as("one snapshot").isEqualTo(1);

        ClusterImage image = follower.image();
        assertThat(image.offset()).isEqualTo(state.appliedOffset());
        assertThat(image.topics()).containsExactlyElementsOf(channel.query(ControllerQuery.DescribeTopics.all()).join());
        assertThat(image.topic("early")).isNull();
        assertThat(early.topic("early")).isNotNull();
        assertThat(follower.pollOnce()).as("nothing new").isZero();
        assertThat(follower.image()).isSameAs(image);
    }

    private void open(int retainedDeltas) {
        state = MetadataState.open(dir.resolve("db"), "cluster-a", 1_000, retainedDeltas);
        channel = new LocalControllerChannel(state, clock::get);
    }

    private void run(ControllerCommand<?> command) {
        channel.execute(command).join();
    }

    private ClusterImage awaitCaughtUp() {
        long offset = state.appliedOffset();
        return await().atMost(Duration.ofSeconds(10)).until(follower::image, image -> image.offset() == offset);
    }
}
