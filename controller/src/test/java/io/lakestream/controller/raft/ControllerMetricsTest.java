package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.client.ControllerRetry;
import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lakestream.controller.* meters move with the work they measure. */
class ControllerMetricsTest {
    @TempDir
    Path dir;
    private final MeterRegistry servers = new SimpleMeterRegistry();
    private final MeterRegistry clients = new SimpleMeterRegistry();
    private ControllerCluster cluster;
    private ControllerClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void commitMovesLatencyTimersAndAppliedOffsetAndElectionMovesLeaderChanges() throws Exception {
        cluster = ControllerCluster.start(dir, 3, c -> c.withMeterRegistry(servers));
        ControllerServer leader = cluster.awaitLeader();
        client = new ControllerClient(cluster.quorum(), ControllerRetry.defaultPolicy(), clients);
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(client);
        long stream = metadata.createStream().get();
        long epoch = metadata.openStream(stream, 1).get().epoch();
        long id = metadata.prepareObjects(1, 60_000).get();
        metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, 1, 100,
            List.of(new StreamOffsetRange(stream, epoch, 0, 10)), List.of(), List.of())).get();

        assertThat(clients.get("lakestream.controller.command.latency").tag("command", "CommitStreamSetObject")
            .tag("outcome", "success").timer().count()).as("client commit latency count").isEqualTo(1);
        String leaderId = leader.voterId();
        assertThat(servers.get("lakestream.controller.apply.latency").tag("voter", leaderId).timer().count())
            .as("commands applied by the leader").isGreaterThanOrEqualTo(4);
        assertThat(servers.get("lakestream.controller.applied.offset").tag("voter", leaderId).gauge().value())
            .isEqualTo(leader.appliedIndex());
        assertThat(servers.get("lakestream.controller.state.size").tag("voter", leaderId).tag("kind", "live")
            .gauge().value()).as("live data estimate").isNotNaN();
        assertThat(cluster.quorum().voters()).as("voters reporting active = 1").filteredOn(voter ->
            servers.get("lakestream.controller.active").tag("voter", voter.id()).gauge().value() == 1)
            .extracting(ControllerQuorum.Voter::id).containsExactly(leaderId);

        String survivor = cluster.quorum().voters().stream().map(ControllerQuorum.Voter::id)
            .filter(v -> !v.equals(leaderId)).findFirst().orElseThrow();
        double changesBefore = leaderChanges(survivor);
        cluster.stopVoter(leaderId);
        cluster.awaitLeader();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(leaderChanges(survivor))
            .as("leader changes seen by %s after the leader stopped", survivor).isGreaterThan(changesBefore));
    }

    private double leaderChanges(String voter) {
        return servers.get("lakestream.controller.leader.changes").tag("voter", voter).counter().count();
    }
}
