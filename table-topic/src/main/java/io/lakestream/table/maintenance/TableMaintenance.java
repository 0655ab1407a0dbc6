package io.lakestream.table.maintenance;

import dev.failsafe.Failsafe;
import io.lakestream.table.commit.CommittedOffsets;
import io.lakestream.table.commit.TableCommitter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one table topic's table small and quick to query, whether or not records are flowing:
 * expires snapshots older than the retention (deleting the files only they used), then
 * rewrites each table partition's small data files (under 3/4 of
 * {@code write.target-file-size-bytes}) into files of about the target size once a partition
 * has {@link MaintenanceSettings#minInputFiles} of them, as Iceberg's rewrite-data-files
 * action does.
 *
 * <p>Exactly-once ingestion keeps its truth in snapshot summaries ({@link CommittedOffsets}), so
 * maintenance never loses it: a rewrite snapshot carries the offsets of the snapshot it goes on
 * top of (recomputed on each retry, as ingestion commits race it), and expiry always keeps the
 * newest snapshot that holds offsets.
 *
 * <p>Rewritten rows are read with the table's delete files applied, and the new files take the
 * highest data sequence number of the files they replace, so an equality delete (upsert mode)
 * reaches them exactly as it reached the rows they hold. Position delete files of replaced
 * files are left in place, referring to files no longer in the table (Iceberg ignores them).
 *
 * <p>Not thread-safe: one run at a time, on a {@link Table} instance of its own (ingestion
 * commits through another).
 */
public final class TableMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

    /** What one run did. */
    public record Result(int snapshotsExpired, int filesRewritten, int filesWritten, long bytesRewritten) {
        public static final Result NOTHING = new Result(0, 0, 0, 0);

        @Override
        public String toString() {
            return "expired " + snapshotsExpired + " snapshots, rewrote " + filesRewritten + " data files ("
                + bytesRewritten + " bytes) into " + filesWritten;
        }
    }

    private final Table table;
    private final MaintenanceSettings settings;
    private final LongSupplier clock;

    public TableMaintenance(Table table, MaintenanceSettings settings, LongSupplier clock) {
        this.table = table;
        this.settings = settings;
        this.clock = clock;
    }

    /** Expires old snapshots, then rewrites small files. */
    public Result run() {
        int expired = expireSnapshots();
        Result rewrite = rewriteSmallFiles();
        return new Result(expired, rewrite.filesRewritten(), rewrite.filesWritten(), rewrite.bytesRewritten());
    }

    /** Expires snapshots older than the retention, never the newest with offsets; returns how many went. */
    public int expireSnapshots() {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return 0;
        }
        long olderThan = clock.getAsLong() - settings.snapshotRetention().toMillis();
        Optional<Snapshot> withOffsets = CommittedOffsets.newestSnapshotWithOffsets(table);
        if (withOffsets.isPresent()) {
            olderThan = Math.min(olderThan, withOffsets.get().timestampMillis());
        }
        int before = size(table.snapshots());
        table.expireSnapshots().expireOlderThan(olderThan).retainLast(settings.minSnapshots()).commit();
        table.refresh();
        return before - size(table.snapshots());
    }

    private static int size(Iterable<?> items) {
        int count = 0;
        for (Object ignored : items) {
            count++;
        }
        return count;
    }

    /** Rewrites the small files of every table partition that has enough of them. */
    public Result rewriteSmallFiles() {
        table.refresh();
        Snapshot start = table.currentSnapshot();
        if (start == null) {
            return Result.NOTHING;
        }
        long target = PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        Map<String, List<FileScanTask>> smallByPartition = new LinkedHashMap<>();
        Map<String, Boolean> seen = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId())
            .ignoreResiduals().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                if (file.fileSizeInBytes() >= target * 3 / 4 || seen.put(file.location(), true) != null
                    || task.start() != 0 || task.length() < file.fileSizeInBytes()) {
                    continue; // large enough, or split into several tasks (so not small)
                }
                smallByPartition.computeIfAbsent(partitionKey(task), k -> new ArrayList<>()).add(task);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot plan the files of " + table.name(), e);
        }
        Result total = Result.NOTHING;
        for (List<FileScanTask> small : smallByPartition.values()) {
            if (small.size() < settings.minInputFiles()) {
                continue;
            }
            for (List<FileScanTask> bin : binPack(small, target)) {
                Result one = rewrite(start, bin);
                total = new Result(0, total.filesRewritten() + one.filesRewritten(),
                    total.filesWritten() + one.filesWritten(), total.bytesRewritten() + one.bytesRewritten());
            }
        }
        return total;
    }

    /** Files of different specs or partitions never share a new file. */
    private static String partitionKey(FileScanTask task) {
        return task.spec().specId() + ":" + task.spec().partitionToPath(task.file().partition());
    }

    /** Groups files, largest first, into bins of at most {@code target} bytes; only bins of two or more are worth it. */
    private static List<List<FileScanTask>> binPack(List<FileScanTask> files, long target) {
        List<FileScanTask> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingLong((FileScanTask t) -> t.file().fileSizeInBytes()).reversed());
        List<List<FileScanTask>> bins = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (FileScanTask task : sorted) {
            long size = task.file().fileSizeInBytes();
            int fit = -1;
            for (int i = 0; i < bins.size() && fit < 0; i++) {
                if (sizes.get(i) + size <= target) {
                    fit = i;
                }
            }
            if (fit < 0) {
                bins.add(new ArrayList<>());
                sizes.add(0L);
                fit = bins.size() - 1;
            }
            bins.get(fit).add(task);
            sizes.set(fit, sizes.get(fit) + size);
        }
        bins.removeIf(bin -> bin.size() < 2);
        return bins;
    }

    /** Rewrites one bin of one table partition's files and commits the swap. */
    private Result rewrite(Snapshot start, List<FileScanTask> bin) {
        List<DataFile> written = write(bin);
        List<DataFile> replaced = bin.stream().map(FileScanTask::file).toList();
        long dataSequence = replaced.stream().mapToLong(DataFile::dataSequenceNumber).max().orElseThrow();
        String commitId = UUID.randomUUID().toString();
        boolean[] tried = {false};
        try {
            Failsafe.with(TableCommitter.RETRY).run(() -> {
                table.refresh();
                if (tried[0] && TableCommitter.committedSince(table, start.snapshotId(), commitId).isPresent()) {
                    return; // an earlier try landed although its outcome looked unknown
                }
                tried[0] = true;
                RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(start.snapshotId())
                    .dataSequenceNumber(dataSequence);
                replaced.forEach(rewrite::deleteFile);
                written.forEach(rewrite::addFile);
                CommittedOffsets.summaryOf(table).forEach(rewrite::set);
                rewrite.set(CommittedOffsets.COMMIT_ID, commitId);
                rewrite.commit();
            });
        } catch (ValidationException e) {
            // Someone else rewrote or deleted these files since the plan: ours are not needed.
            LOG.info("Table {}: the rewrite of {} files lost to another change and is dropped: {}", table.name(),
                replaced.size(), e.getMessage());
            written.forEach(file -> table.io().deleteFile(file.location()));
            return Result.NOTHING;
        }
        long bytes = replaced.stream().mapToLong(DataFile::fileSizeInBytes).sum();
        LOG.info("Table {}: rewrote {} small data files ({} bytes) into {}", table.name(), replaced.size(), bytes,
            written.size());
        return new Result(0, replaced.size(), written.size(), bytes);
    }

    /** The rows of {@code bin}, with deletes applied, in new files of the same spec and partition. */
    private List<DataFile> write(List<FileScanTask> bin) {
        Schema schema = table.schema();
        PartitionSpec spec = bin.get(0).spec();
        StructLike partition = bin.get(0).file().partition();
        long target = PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 0, 0).format(FileFormat.PARQUET)
            .operationId("rewrite-" + UUID.randomUUID()).build();
        FanoutDataWriter<Record> writer = new FanoutDataWriter<>(factory, files, table.io(), target);
        try (writer) {
            for (FileScanTask task : bin) {
                GenericDeleteFilter deletes = new GenericDeleteFilter(table.io(), task, schema, schema);
                Schema read = deletes.requiredSchema();
                try (CloseableIterable<Record> rows = deletes.filter(Parquet.read(table.io().newInputFile(task.file()))
                    .project(read)
                    .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(read, fileSchema))
                    .build())) {
                    for (Record row : rows) {
                        writer.write(project(row, schema), spec, partition);
                    }
                }
            }
        } catch (IOException e) {
            // Files the writer finished before the failure are in no snapshot: orphans that a
            // later expiry does not see. Rare enough (an object store failure) to leave.
            throw new UncheckedIOException("Cannot rewrite data files of " + table.name(), e);
        }
        return writer.result().dataFiles();
    }

    /** {@code row} with exactly the table's columns (reading for deletes may add some, such as _pos). */
    private static Record project(Record row, Schema schema) {
        if (row.struct().fields().size() == schema.columns().size()) {
            return row;
        }
        GenericRecord out = GenericRecord.create(schema);
        for (Types.NestedField column : schema.columns()) {
            out.setField(column.name(), row.getField(column.name()));
        }
        return out;
    }
}
