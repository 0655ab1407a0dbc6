package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.image.ClusterImage;
import io.lakestream.controller.image.ClusterImageFollower;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker sessions on real Ratis voters: fencing by the leader's ticks, leader moves, and a zombie's late commit. */
class BrokerFencingControllerTest {
    private static final long SESSION_MS = 2_000;
    private static final int A = 1;
    private static final int B = 2;

    @TempDir
    Path dir;
    private ControllerCluster cluster;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private final MeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void stop() {
        heartbeats.shutdownNow();
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void brokerThatStopsHeartbeatingIsFencedAfterItsSessionAndItsPartitionsMove() throws Exception {
        cluster = ControllerCluster.start(dir, 3, c -> c.withBrokerSessionTimeout(SESSION_MS).withMeterRegistry(meters));
        cluster.awaitLeader();
        ControllerClient client = cluster.newClient();
        ClusterImageFollower follower = new ClusterImageFollower(cluster.newClient(), Duration.ofMillis(100), 100);
        follower.start();
        long epochA = register(client, A);
        long epochB = register(client, B);
        heartbeatEvery(client, B, epochB, 300);
        TopicDescription orders = client.execute(new ControllerCommand.CreateTopic("orders", Uuid.randomUuid(), 4,
            (short) -1, Map.of())).get();
        assertThat(orders.partitions()).extracting(PartitionState::leader).containsExactly(A, B, A, B);

        long lastHeartbeatSent = System.currentTimeMillis();
        client.execute(new ControllerCommand.BrokerHeartbeat(A, epochA, false)).get();
        long acknowledged = System.currentTimeMillis();
        await().atMost(Duration.ofMillis(SESSION_MS + 10_000)).pollInterval(Duration.ofMillis(50))
            .until(() -> broker(client, A).fenced());
        long fencedSeen = System.currentTimeMillis();

        assertThat(fencedSeen - lastHeartbeatSent).as("fenced no earlier than a session after its last heartbeat")
            .isGreaterThanOrEqualTo(SESSION_MS);
        assertThat(fencedSeen - acknowledged).as("ms from the last heartbeat to fenced")
            .isLessThan(SESSION_MS + 5_000);
        assertThat(broker(client, B).fenced()).isFalse();
        List<TopicDescription> topics = client.query(ControllerQuery.DescribeTopics.all()).get();
        assertThat(topics.get(0).partitions()).extracting(PartitionState::leader, PartitionState::leaderEpoch)
            .containsExactly(tuple(B, 1), tuple(B, 0),
                tuple(B, 1), tuple(B, 0));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> cluster.quorum().voters().stream().allMatch(v -> cluster.voter(v.id()).fencedBrokerCount() == 1));
        assertThat(meters.get("lakestream.controller.brokers.fenced").gauges()).as("fenced-broker gauge of each voter")
            .hasSize(3).allSatisfy(gauge -> assertThat(gauge.value()).isEqualTo(1.0));
        ClusterImage image = await().atMost(Duration.ofSeconds(10)).until(follower::image,
            i -> i.broker(A) != null && i.broker(A).fenced());
        assertThat(image.topic("orders").partitions()).as("the broker's image, by Raft reads")
            .isEqualTo(topics.get(0).partitions());
        follower.close();

        assertThat(client.execute(new ControllerCommand.BrokerHeartbeat(A, epochA, false)).get().fenced())
            .as("back with its current epoch").isFalse();
    }

    @Test
    void brokersThatKeepHeartbeatingStayUnfencedAcrossALeaderChangeAndTheNewLeaderStillExpiresSessions()
        throws Exception {
        // Longer than the other tests' session, so heartbeats slowed by a loaded machine do not look expired.
        long failoverSessionMs = 3_000;
        cluster = ControllerCluster.start(dir, 3, c -> c.withBrokerSessionTimeout(failoverSessionMs));
        ControllerServer firstLeader = cluster.awaitLeader();
        ControllerClient client = cluster.newClient();
        long epochA = register(client, A);
        long epochB = register(client, B);
        heartbeatEvery(client, B, epochB, 300);
        ScheduledFuture<?> heartbeatsOfA = heartbeats.scheduleAtFixedRate(
            () -> client.execute(new ControllerCommand.BrokerHeartbeat(A, epochA, false)), 0, 300,
            TimeUnit.MILLISECONDS);

        cluster.awaitApplied(firstLeader.appliedIndex());
        cluster.stopVoter(firstLeader.voterId());
        cluster.awaitLeader();
        Thread.sleep(2 * failoverSessionMs);
        assertThat(client.query(new ControllerQuery.DescribeBrokers()).get())
            .as("brokers that heartbeat through the election").noneMatch(BrokerRegistration::fenced);

        heartbeatsOfA.cancel(false);
        await().atMost(Duration.ofMillis(3 * failoverSessionMs + 10_000)).until(() -> broker(client, A).fenced());
        assertThat(broker(client, B).fenced()).isFalse();
    }

    @Test
    void zombieLeaderCommitAfterItsPartitionMovedIsRefusedAndChangesNoRange() throws Exception {
        cluster = ControllerCluster.start(dir, 1, c -> c.withBrokerSessionTimeout(SESSION_MS));
        cluster.awaitLeader();
        ControllerClient client = cluster.newClient();
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(client);
        register(client, A);
        long epochB = register(client, B);
        TopicDescription orders = client.execute(new ControllerCommand.CreateTopic("orders", Uuid.randomUuid(), 1,
            (short) 1, Map.of())).get();
        PartitionState partition = orders.partition(0);
        assertThat(partition.leader()).isEqualTo(A);
        long stream = partition.streamId();
        StreamState openedByA = metadata.openStream(stream, A).get();
        long uploadedByA = metadata.prepareObjects(1, 60_000).get();

        // A stops heartbeating (a GC pause, a partition); B keeps its session.
        heartbeatEvery(client, B, epochB, 300);
        PartitionState moved = await().atMost(Duration.ofSeconds(15)).until(
            () -> client.query(ControllerQuery.DescribeTopics.all()).get().get(0).partition(0),
            p -> p.leader() == B);
        assertThat(moved.leaderEpoch()).isEqualTo(partition.leaderEpoch() + 1);
        StreamState openedByB = metadata.openStream(stream, B).get();
        assertThat(openedByB.epoch()).isEqualTo(openedByA.epoch() + 1);

        assertThatThrownBy(() -> metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(uploadedByA, A, 100,
            List.of(new StreamOffsetRange(stream, openedByA.epoch(), 0, 10)), List.of(), List.of())).get())
            .isInstanceOf(ExecutionException.class).cause()
            .isInstanceOfSatisfying(StreamMetadataException.class,
                e -> assertThat(e.error()).isEqualTo(MetadataError.STALE_EPOCH));

        assertThat(metadata.getObjects(stream, 0, -1, 100).get()).as("ranges after the zombie's commit").isEmpty();
        assertThat(metadata.describeStream(stream).get()).isEqualTo(openedByB);
    }

    @Test
    void refusalsReachTheClientWithTheirOwnCodeThroughRaft() throws Exception {
        cluster = ControllerCluster.start(dir, 1, c -> c);
        cluster.awaitLeader();
        ControllerClient client = cluster.newClient();
        client.execute(new ControllerCommand.CreateTopic("orders", Uuid.randomUuid(), 1, (short) 1, Map.of())).get();

        assertThatThrownBy(() -> client.execute(new ControllerCommand.CreateTopic("orders", Uuid.randomUuid(), 1,
            (short) 1, Map.of())).get()).cause().isInstanceOfSatisfying(ClusterMetadataException.class, e -> {
                assertThat(e.error()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);
                assertThat(e.detail()).isEqualTo("topic orders already exists");
            });
        assertThatThrownBy(() -> client.execute(new ControllerCommand.CreateTopic("x", Uuid.randomUuid(), 1,
            (short) 3, Map.of())).get()).cause().isInstanceOfSatisfying(ClusterMetadataException.class,
                e -> assertThat(e.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR));
        assertThatThrownBy(() -> new ControllerStreamMetadata(client).describeStream(12345).get()).cause()
            .isInstanceOfSatisfying(StreamMetadataException.class,
                e -> assertThat(e.error()).isEqualTo(MetadataError.STREAM_NOT_FOUND));
    }

    private static long register(ControllerClient client, int nodeId) throws Exception {
        return client.execute(new ControllerCommand.RegisterBroker(nodeId, Uuid.randomUuid(),
            List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9000 + nodeId)), null)).get();
    }

    private void heartbeatEvery(ControllerClient client, int nodeId, long epoch, long periodMillis) {
        heartbeats.scheduleAtFixedRate(() -> client.execute(new ControllerCommand.BrokerHeartbeat(nodeId, epoch, false)),
            0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private static BrokerRegistration broker(ControllerClient client, int nodeId) throws Exception {
        return client.query(new ControllerQuery.DescribeBrokers()).get().stream()
            .filter(b -> b.nodeId() == nodeId).findFirst().orElseThrow();
    }
}
