package io.lakestream.controller.raft;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Snapshots as RocksDB checkpoints, laid out under Ratis' state machine directory:
 *
 * <pre>
 * sm/
 *   db/                              the live RocksDB state (not a snapshot)
 *   snapshots/checkpoint.TERM_INDEX/ one RocksDB checkpoint per snapshot; the newest wins
 *   snapshots.tmp/                   checkpoints being written, and snapshots being received
 * </pre>
 *
 * A snapshot is every file of its checkpoint directory. When a follower installs one, Ratis
 * replaces {@code snapshots/} with the received files (plus {@code .md5} sidecars) and the
 * state machine reinitializes from the newest checkpoint. Thread-safe: the newest snapshot
 * is recomputed from the directory on each change and published through a volatile field.
 */
final class CheckpointSnapshotStorage implements StateMachineStorage {
    static final String CHECKPOINT_PREFIX = "checkpoint.";
    private static final Pattern CHECKPOINT_NAME = Pattern.compile("checkpoint\\.(\\d+)_(\\d+)");

    private volatile Path stateMachineDir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        stateMachineDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(getSnapshotDir().toPath());
        Files.createDirectories(getTmpDir().toPath());
        refresh();
    }

    Path liveDatabaseDir() {
        return stateMachineDir.resolve("db");
    }

    /** Where the checkpoint of {@code termIndex} lives once it is complete. */
    Path checkpointDir(TermIndex termIndex) {
        return getSnapshotDir().toPath()
            .resolve(CHECKPOINT_PREFIX + termIndex.getTerm() + "_" + termIndex.getIndex());
    }

    /** Where a checkpoint is written before it is renamed into place. */
    Path checkpointInProgressDir(TermIndex termIndex) {
        return getTmpDir().toPath().resolve("in-progress." + termIndex.getTerm() + "_" + termIndex.getIndex());
    }

    /** Rescans the snapshot directory; call after a checkpoint is written or a snapshot installed. */
    void refresh() {
        Path newest = null;
        TermIndex newestTermIndex = null;
        try (Stream<Path> dirs = Files.list(getSnapshotDir().toPath())) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                TermIndex termIndex = termIndexOf(dir);
                if (termIndex != null && (newestTermIndex == null || termIndex.compareTo(newestTermIndex) > 0)) {
                    newest = dir;
                    newestTermIndex = termIndex;
                }
            }
            latest = newest == null ? null : new FileListSnapshotInfo(filesOf(newest), newestTermIndex);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list snapshots in " + getSnapshotDir(), e);
        }
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    @Override
    public void format() {
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = Math.max(1, policy.getNumSnapshotsRetained());
        List<Path> checkpoints = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(getSnapshotDir().toPath())) {
            dirs.filter(dir -> termIndexOf(dir) != null).forEach(checkpoints::add);
        }
        checkpoints.sort(Comparator.comparing(CheckpointSnapshotStorage::termIndexOf).reversed());
        for (Path old : checkpoints.subList(Math.min(keep, checkpoints.size()), checkpoints.size())) {
            deleteRecursively(old);
        }
    }

    @Override
    public File getSnapshotDir() {
        return stateMachineDir.resolve("snapshots").toFile();
    }

    @Override
    public File getTmpDir() {
        return stateMachineDir.resolve("snapshots.tmp").toFile();
    }

    private static TermIndex termIndexOf(Path dir) {
        Matcher m = CHECKPOINT_NAME.matcher(dir.getFileName().toString());
        return m.matches() && Files.isDirectory(dir)
            ? TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))
            : null;
    }

    private static List<FileInfo> filesOf(Path checkpoint) throws IOException {
        try (Stream<Path> files = Files.walk(checkpoint)) {
            return files.filter(Files::isRegularFile)
                .filter(f -> !f.getFileName().toString().endsWith(MD5FileUtil.MD5_SUFFIX))
                .sorted()
                .map(f -> new FileInfo(f.toAbsolutePath(), null))
                .toList();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** Copies a checkpoint's RocksDB files (not Ratis' .md5 sidecars) into a new {@code target}. */
    static void copyCheckpoint(Path checkpoint, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(checkpoint)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(MD5FileUtil.MD5_SUFFIX)) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        }
    }
}
