package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three voters in one JVM on loopback ports: commits survive losing the leader or lagging behind a snapshot. */
class ThreeVoterControllerTest {
    private static final int NODE = 1;
    private static final long RANGE = 10;

    @TempDir
    Path dir;
    private ControllerCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acknowledgedCommitsSurviveLeaderRestartsExactlyOnceAndInOrder() throws Exception {
        cluster = ControllerCluster.start(dir, 3, c -> c);
        cluster.awaitLeader();
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(cluster.newClient());
        long stream = metadata.createStream().get();
        long epoch = metadata.openStream(stream, NODE).get().epoch();

        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<List<Long>> writer = CompletableFuture.supplyAsync(() -> commitUntil(metadata, stream,
            epoch, done));
        for (int restart = 0; restart < 2; restart++) {
            long before = acknowledgedSoFar(metadata, stream);
            ControllerServer leader = cluster.awaitLeader();
            cluster.stopVoter(leader.voterId());
            cluster.awaitLeader();
            awaitProgress(metadata, stream, before + 3 * RANGE);
            cluster.startVoter(leader.voterId());
        }
        done.set(true);
        List<Long> acknowledged = writer.get(60, TimeUnit.SECONDS);

        List<ObjectRange> ranges = metadata.getObjects(stream, 0, -1, Integer.MAX_VALUE).get();
        assertThat(acknowledged).as("commits acknowledged while leaders were killed").hasSizeGreaterThan(6);
        assertThat(ranges).extracting(ObjectRange::objectId).as("every acknowledged commit, once, in order")
            .containsExactlyElementsOf(acknowledged);
        assertContiguousFromZero(ranges);
        assertThat(metadata.describeStream(stream).get().endOffset()).isEqualTo(acknowledged.size() * RANGE);
    }

    @Test
    void followerThatMissedPurgedLogCatchesUpFromASnapshot() throws Exception {
        cluster = ControllerCluster.start(dir, 3, c -> c.withSnapshots(20, 4096));
        ControllerServer leader = cluster.awaitLeader();
        String follower = cluster.quorum().voters().stream().map(v -> v.id())
            .filter(id -> !id.equals(leader.voterId())).findFirst().orElseThrow();
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(cluster.newClient());
        long stream = metadata.createStream().get();
        long epoch = metadata.openStream(stream, NODE).get().epoch();

        long stoppedAt = cluster.voter(follower).appliedIndex();
        cluster.stopVoter(follower);
        List<Long> committed = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            committed.add(commit(metadata, stream, epoch, i * RANGE));
        }
        cluster.startVoter(follower);
        // Up to one Ratis install-snapshot stream timeout (request timeout 3 s x 8 outstanding
        // chunks = 24 s) can pass first: the leader may have begun sending the snapshot while
        // the follower was down, and waits for that stream to time out before trying again.
        cluster.awaitApplied(cluster.voter(leader.voterId()).appliedIndex(), Duration.ofSeconds(90));
        org.apache.ratis.server.RaftServer.Division division =
            cluster.voter(follower).raftServer().getDivision(cluster.quorum().raftGroup().getGroupId());
        assertThat(division.getRaftLog().getStartIndex())
            .as("the follower got the entries after %d from a snapshot, not the log", stoppedAt)
            .isGreaterThan(stoppedAt + 1);

        // Only the restarted follower is left with the leader gone: it must hold every commit.
        cluster.stopVoter(leader.voterId());
        cluster.awaitLeader();
        List<ObjectRange> ranges = metadata.getObjects(stream, 0, -1, Integer.MAX_VALUE).get();
        assertThat(ranges).extracting(ObjectRange::objectId).containsExactlyElementsOf(committed);
        assertContiguousFromZero(ranges);
    }

    /** Commits one range after another until told to stop; returns the acknowledged object ids. */
    private static List<Long> commitUntil(ControllerStreamMetadata metadata, long stream, long epoch,
                                          AtomicBoolean done) {
        List<Long> acknowledged = new ArrayList<>();
        while (!done.get()) {
            try {
                acknowledged.add(commit(metadata, stream, epoch, acknowledged.size() * RANGE));
            } catch (Exception e) {
                throw new AssertionError("commit " + acknowledged.size() + " failed", e);
            }
        }
        return acknowledged;
    }

    private static long commit(ControllerStreamMetadata metadata, long stream, long epoch, long start)
        throws ExecutionException, InterruptedException {
        long id = metadata.prepareObjects(1, 60_000).get();
        metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, NODE, 100,
            List.of(new StreamOffsetRange(stream, epoch, start, start + RANGE)), List.of(), List.of())).get();
        return id;
    }

    private static long acknowledgedSoFar(ControllerStreamMetadata metadata, long stream) throws Exception {
        return metadata.describeStream(stream).get().endOffset();
    }

    private static void awaitProgress(ControllerStreamMetadata metadata, long stream, long endOffset) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
            .until(() -> acknowledgedSoFar(metadata, stream) >= endOffset);
    }

    private static void assertContiguousFromZero(List<ObjectRange> ranges) {
        long expected = 0;
        for (ObjectRange range : ranges) {
            assertThat(range.startOffset()).as("range of object %d", range.objectId()).isEqualTo(expected);
            expected = range.endOffset();
        }
    }
}
