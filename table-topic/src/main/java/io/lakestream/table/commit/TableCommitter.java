package io.lakestream.table.commit;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.lakestream.table.write.PartitionFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.RESTException;
import org.apache.iceberg.exceptions.ServiceFailureException;
import org.apache.iceberg.exceptions.ServiceUnavailableException;
import org.apache.iceberg.jdbc.UncheckedSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the files of a table topic's partitions as ONE snapshot, with the Kafka offsets they
 * reach in its summary ({@link CommittedOffsets}). This is the exactly-once step: a partition's
 * files are accepted only if they start at the offset the table holds for it, so files of a
 * range some other writer (a previous leader, a zombie) committed first are refused and
 * deleted, and a crash between writing files and committing them loses nothing (the worker
 * starts again at the table's offset).
 *
 * <p>Commits are retried here, in one place, on a fresh view of the table each time: the check
 * of every partition's offset and the offsets written are computed again from the snapshot the
 * commit goes on top of (tables are created with Iceberg's own retry off, which would re-apply a
 * stale summary). A commit whose outcome was unknown is recognized by its commit id.
 *
 * <p>The dead-letter table is committed first, skipping ranges it already holds, so that a
 * crash between the two commits repeats no dead letter and loses none.
 *
 * <p>Single-threaded: called by one thread at a time, the commit executor of its table topic,
 * which starts a commit only after the last one ended.
 */
public final class TableCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(TableCommitter.class);
    /**
     * How commits to a table topic's tables are retried: conflicts with other writers, unknown
     * outcomes, and an external catalog out of reach (its database or REST server failing or
     * unreachable, which may also hide whether a commit landed: each try looks for its commit id
     * first).
     */
    public static final RetryPolicy<Object> RETRY = RetryPolicy.builder()
        .handle(CommitFailedException.class, CommitStateUnknownException.class, UncheckedSQLException.class,
            RESTException.class, ServiceFailureException.class, ServiceUnavailableException.class)
        .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
        .withJitter(0.2)
        .withMaxAttempts(10)
        .build();

    /** How many commits whose outcome stayed unknown are remembered. */
    private static final int UNCERTAIN_COMMITS = 16;
    /** How far back the table's history is searched for them. */
    private static final int UNCERTAIN_SEARCH_SNAPSHOTS = 1_000;

    private final Table table;
    private final Table deadLetterTable;
    private final String topic;
    private final String topicId;
    /**
     * The commit ids of commits to {@link #table} that failed in the end, oldest first: one may
     * have landed all the same, so their files must not be deleted as refused ones.
     */
    private final Set<String> uncertainCommitIds = new LinkedHashSet<>();

    public TableCommitter(Table table, Table deadLetterTable, String topic, String topicId) {
        this.table = table;
        this.deadLetterTable = deadLetterTable;
        this.topic = topic;
        this.topicId = topicId;
    }

    /** Commits {@code files} (at most one entry per partition); refused partitions' files are deleted. */
    public CommitOutcome commit(Collection<PartitionFiles> files) {
        if (files.isEmpty()) {
            return CommitOutcome.NOTHING;
        }
        List<String> orphans = new ArrayList<>();
        long deadLetters = 0;
        if (deadLetterTable != null && files.stream().anyMatch(f -> !f.deadLetterFiles().isEmpty())) {
            Attempt deadLetterCommit = new Attempt(deadLetterTable, files, true);
            Failsafe.with(RETRY).run(deadLetterCommit::run);
            for (PartitionFiles partitionFiles : files) {
                if (deadLetterCommit.accepted.contains(partitionFiles.partition())) {
                    deadLetters += partitionFiles.deadLetterCount();
                } else {
                    partitionFiles.deadLetterFiles().forEach(file -> orphans.add(file.location()));
                }
            }
        }
        Attempt commit = new Attempt(table, files, false);
        try {
            Failsafe.with(RETRY).run(commit::run);
        } catch (RuntimeException e) {
            rememberUncertain(commit.commitId);
            throw e;
        }
        Set<String> landedEarlier = commit.refused.isEmpty() ? Set.of() : filesOfUncertainCommits();
        Map<Integer, Long> committed = new HashMap<>();
        long rows = 0;
        int dataFiles = 0;
        for (PartitionFiles partitionFiles : files) {
            if (commit.accepted.contains(partitionFiles.partition())) {
                committed.put(partitionFiles.partition(), partitionFiles.endOffset());
                rows += partitionFiles.rowCount();
                dataFiles += partitionFiles.dataFiles().size();
            } else {
                // Files an earlier commit whose outcome looked unknown did land with are the table's.
                partitionFiles.dataFiles().stream().map(DataFile::location).filter(l -> !landedEarlier.contains(l))
                    .forEach(orphans::add);
                partitionFiles.deleteFiles().stream().map(DeleteFile::location).filter(l -> !landedEarlier.contains(l))
                    .forEach(orphans::add);
            }
        }
        if (!commit.refused.isEmpty()) {
            LOG.warn("Table {}: partitions {} were committed by another writer first; their files are dropped and "
                + "they resume from the table's offsets {}", table.name(), commit.refused.keySet(), commit.refused);
        }
        deleteQuietly(orphans);
        return new CommitOutcome(committed, commit.refused, commit.snapshotId, rows, deadLetters, dataFiles);
    }

    private void rememberUncertain(String commitId) {
        uncertainCommitIds.add(commitId);
        if (uncertainCommitIds.size() > UNCERTAIN_COMMITS) {
            uncertainCommitIds.remove(uncertainCommitIds.iterator().next());
        }
    }

    /**
     * The files added by the snapshots of commits that failed here although they landed (their
     * commit ids are in the table's recent history); those commits are forgotten once found.
     */
    private Set<String> filesOfUncertainCommits() {
        Set<String> files = new HashSet<>();
        Snapshot snapshot = table.currentSnapshot();
        for (int i = 0; snapshot != null && !uncertainCommitIds.isEmpty() && i < UNCERTAIN_SEARCH_SNAPSHOTS; i++) {
            if (uncertainCommitIds.remove(snapshot.summary().get(CommittedOffsets.COMMIT_ID))) {
                snapshot.addedDataFiles(table.io()).forEach(file -> files.add(file.location()));
                snapshot.addedDeleteFiles(table.io()).forEach(file -> files.add(file.location()));
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return files;
    }

    private void deleteQuietly(List<String> locations) {
        for (String location : locations) {
            try {
                table.io().deleteFile(location);
            } catch (RuntimeException e) {
                LOG.info("Cannot delete the uncommitted file {}: {}", location, e.toString());
            }
        }
    }

    /**
     * The snapshot with {@code commitId} in its summary ({@link CommittedOffsets#COMMIT_ID}) made
     * after {@code baseSnapshotId} (null: the table had none), if there is one: how a retried
     * commit finds that an earlier try landed although its outcome looked unknown or failed.
     */
    public static Optional<Snapshot> committedSince(Table table, Long baseSnapshotId, String commitId) {
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null && (baseSnapshotId == null || snapshot.snapshotId() != baseSnapshotId)) {
            if (commitId.equals(snapshot.summary().get(CommittedOffsets.COMMIT_ID))) {
                return Optional.of(snapshot);
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return Optional.empty();
    }

    /** One commit to one table, run again on each retry; remembers what its last try decided. */
    private final class Attempt {
        private final Table target;
        private final Collection<PartitionFiles> files;
        private final boolean deadLetters;
        private final String commitId = UUID.randomUUID().toString();
        private Long baseSnapshotId;
        private boolean started;
        private final List<Integer> accepted = new ArrayList<>();
        private final Map<Integer, Long> refused = new HashMap<>();
        private long snapshotId = -1;

        Attempt(Table target, Collection<PartitionFiles> files, boolean deadLetters) {
            this.target = target;
            this.files = files;
            this.deadLetters = deadLetters;
        }

        void run() {
            target.refresh();
            if (!started) {
                started = true;
                Snapshot base = target.currentSnapshot();
                baseSnapshotId = base == null ? null : base.snapshotId();
            } else {
                Optional<Snapshot> ours = committedSince(target, baseSnapshotId, commitId);
                if (ours.isPresent()) {
                    snapshotId = ours.get().snapshotId();
                    return; // an earlier try landed although its outcome looked unknown or failed
                }
            }
            CommittedOffsets offsets = CommittedOffsets.of(target);
            accepted.clear();
            refused.clear();
            Map<Integer, Long> changes = new HashMap<>();
            boolean deletes = !deadLetters && files.stream().anyMatch(f -> !f.deleteFiles().isEmpty());
            // Upserts need a row delta (data and delete files in one snapshot); appends a fast append.
            RowDelta delta = deletes ? target.newRowDelta() : null;
            AppendFiles append = deletes ? null : target.newFastAppend();
            for (PartitionFiles partitionFiles : files) {
                int partition = partitionFiles.partition();
                Optional<Long> held = offsets.offset(topicId, partition);
                if (deadLetters) {
                    if (partitionFiles.deadLetterFiles().isEmpty()
                        || (held.isPresent() && held.get() >= partitionFiles.endOffset())) {
                        continue; // nothing to add, or these dead letters are in the table already
                    }
                    partitionFiles.deadLetterFiles().forEach(append::appendFile);
                } else {
                    if (held.isPresent() && held.get() != partitionFiles.startOffset()) {
                        refused.put(partition, held.get());
                        continue;
                    }
                    for (DataFile file : partitionFiles.dataFiles()) {
                        if (delta != null) {
                            delta.addRows(file);
                        } else {
                            append.appendFile(file);
                        }
                    }
                    if (delta != null) {
                        partitionFiles.deleteFiles().forEach(delta::addDeletes);
                    }
                }
                accepted.add(partition);
                changes.put(partition, partitionFiles.endOffset());
            }
            if (accepted.isEmpty()) {
                return;
            }
            CommittedOffsets next = offsets.with(topicId, changes);
            SnapshotUpdate<?> update = delta != null ? delta : append;
            update.set(CommittedOffsets.OFFSETS, next.offsetsJson());
            update.set(CommittedOffsets.TOPIC_ID, topicId);
            update.set(CommittedOffsets.TOPIC, topic);
            update.set(CommittedOffsets.COMMIT_ID, commitId);
            update.commit();
            snapshotId = target.currentSnapshot().snapshotId();
        }

    }
}
