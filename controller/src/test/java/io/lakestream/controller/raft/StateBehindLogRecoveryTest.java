package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.command.ClusterDescription;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live RocksDB state is not synced per command (the Raft log is the durable record), so a
 * crash can leave it behind the log. Such a voter must come back with every acknowledged
 * command applied exactly once: Ratis replays the log from the newest snapshot and the state
 * machine skips what the state already holds.
 */
class StateBehindLogRecoveryTest {
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
    void stateThatLostItsUnsyncedTailReplaysEveryAcknowledgedCommandExactlyOnce() throws Exception {
        // No snapshots (Ratis would also take one when the voter stops): the whole log is replayed.
        cluster = ControllerCluster.start(dir, 1, c -> c.withSnapshots(0, 4096));
        cluster.awaitLeader();
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(cluster.newClient());
        long stream = metadata.createStream().get();
        long epoch = metadata.openStream(stream, NODE).get().epoch();
        List<Long> acknowledged = new ArrayList<>(commitConcurrently(metadata, stream, epoch, 0, 40));

        // An image of the state as it was here, standing for what RocksDB had made durable.
        cluster.stopVoter("c0");
        Path liveDb = stateDir(dir.resolve("c0"));
        Path stale = dir.resolve("stale-db");
        copyTree(liveDb, stale);
        cluster.startVoter("c0");
        cluster.awaitLeader();
        acknowledged.addAll(commitConcurrently(metadata, stream, epoch, acknowledged.size() * RANGE, 100));
        long appliedBeforeCrash = cluster.voter("c0").appliedIndex();
        ClusterDescription beforeCrash = cluster.newClient().query(new ControllerQuery.DescribeCluster()).get();

        // "Crash": the state loses everything after the image; the Raft log keeps it all.
        cluster.stopVoter("c0");
        deleteTree(liveDb);
        copyTree(stale, liveDb);
        cluster.startVoter("c0");
        cluster.awaitLeader();
        cluster.awaitApplied(appliedBeforeCrash);

        List<ObjectRange> ranges = metadata.getObjects(stream, 0, -1, Integer.MAX_VALUE).get();
        assertThat(ranges).extracting(ObjectRange::objectId)
            .as("every acknowledged commit, once, in order").containsExactlyElementsOf(acknowledged);
        assertThat(metadata.describeStream(stream).get().endOffset()).isEqualTo(acknowledged.size() * RANGE);
        assertThat(cluster.newClient().query(new ControllerQuery.DescribeCluster()).get())
            .as("the state's metadata offset after the replay").isEqualTo(beforeCrash);
    }

    /**
     * Commits {@code count} ranges of one stream, ten calls in flight at a time, so that the
     * client batches them into shared log entries; returns the object ids in offset order.
     */
    private static List<Long> commitConcurrently(ControllerStreamMetadata metadata, long stream, long epoch,
                                                 long start, int count) throws Exception {
        long firstId = metadata.prepareObjects(count, 600_000).get();
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long from = start + i * RANGE;
            commits.add(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(firstId + i, NODE, 100,
                List.of(new StreamOffsetRange(stream, epoch, from, from + RANGE)), List.of(), List.of())));
            ids.add(firstId + i);
            if (commits.size() == 10) {
                CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get();
                commits.clear();
            }
        }
        CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get();
        return ids;
    }

    /** The live RocksDB directory under a voter's storage: {@code <group>/sm/db}. */
    private static Path stateDir(Path voterDir) throws IOException {
        try (Stream<Path> found = Files.find(voterDir, 4,
            (p, attrs) -> attrs.isDirectory() && p.getFileName().toString().equals("db")
                && p.getParent().getFileName().toString().equals("sm"))) {
            return found.findFirst().orElseThrow(() -> new AssertionError("no sm/db under " + voterDir));
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        CheckpointSnapshotStorage.deleteRecursively(dir);
    }
}
