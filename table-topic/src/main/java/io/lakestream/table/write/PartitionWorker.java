package io.lakestream.table.write;

import io.lakestream.table.PartitionSource;
import io.lakestream.table.UpsertMode;
import io.lakestream.table.convert.DeadLetters;
import io.lakestream.table.convert.KafkaColumns;
import io.lakestream.table.convert.RecordConverter;
import io.lakestream.table.convert.SourceRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.WriteResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one partition's records into Parquet files of its topic's table, from the offset the
 * table last committed for the partition. Each {@link #doWork} reads one chunk, evolves the
 * table's schema (and partition spec) if the chunk needs it, converts the records and writes
 * the rows, appending them or upserting them by the id columns; records that do not convert go
 * to the dead-letter table, or stop the worker at the first one (errors.tolerance=none).
 * {@link #drain} hands the files of everything read so far, with their offset range, to the
 * commit; nothing is visible until that commits.
 *
 * <p>Single-threaded: owned by its topic's {@code TopicTable}, and stepped by one thread at a
 * time: a table writer thread, alongside the workers of other partitions, or the table-topic
 * thread between steps (the topic's {@code TopicTable} drains a worker only when no step of
 * it runs, and hands each step's end to its own thread through a future). What
 * the workers of a topic share, the {@link Table} object, they change and read with its lock
 * held ({@link SchemaEvolution}).
 */
public final class PartitionWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);
    private static final long READ_TIMEOUT_SECONDS = 60;

    private final int partition;
    private final PartitionSource source;
    private final RecordConverter converter;
    private final TableTarget target;
    private final Table table;
    private final int readBytes;
    private final Runnable wakeUp;

    /** The first offset not yet handed to a commit. */
    private long startOffset;
    /** The next offset to read. */
    private long nextOffset;
    private RowWriter rows;
    private RowWriter deadLetters;
    private WriteResult.Builder written = WriteResult.builder();
    private WriteResult.Builder deadLettersWritten = WriteResult.builder();
    private long taskIds;
    private String stoppedBecause;
    /** Set when an upsert chunk needs a new writer: what the old one wrote must be committed first. */
    private boolean commitWanted;
    /** Record bytes written to the open files since they opened: about what their buffers hold. */
    private long bufferedBytes;
    /** Whether a wake-up is registered with the source; cleared by the source's thread when it fires. */
    private final AtomicBoolean waiting = new AtomicBoolean();
    private AutoCloseable appendWait;
    /** The next chunk, being read while the last one converts; dropped if the worker moves elsewhere. */
    private ReadAhead readAhead;

    /** @param wakeUp run (on another thread) when the partition has new records after the worker caught up */
    public PartitionWorker(int partition, PartitionSource source, RecordConverter converter, TableTarget target,
                           long startOffset, int readBytes, Runnable wakeUp) {
        this.partition = partition;
        this.source = source;
        this.converter = converter;
        this.target = target;
        this.table = target.table();
        this.startOffset = startOffset;
        this.nextOffset = startOffset;
        this.readBytes = readBytes;
        this.wakeUp = wakeUp;
    }

    public int partition() {
        return partition;
    }

    public PartitionSource source() {
        return source;
    }

    /** The next offset to read: everything below it is written (or skipped) and waits for a commit. */
    public long nextOffset() {
        return nextOffset;
    }

    /**
     * Whether the rows written so far must be committed before the worker goes on: in upsert
     * mode a schema or spec change needs a new writer, and a key written by the old one would
     * survive an update by the new one in the same commit (an equality delete reaches only
     * earlier commits). Until {@link #drain}, the worker reads nothing.
     */
    public boolean wantsCommit() {
        return commitWanted;
    }

    /**
     * Whether a step would do nothing now: the worker stopped, waits for a commit, or caught up
     * with the log and waits for the append that wakes it. A worker that caught up without
     * registering that wait yet is not idle: its next step registers it.
     */
    public boolean idle() {
        return stoppedBecause != null || commitWanted || (waiting.get() && nextOffset >= source.highWatermark());
    }

    /** Why the worker stopped (a record that does not convert, with errors.tolerance=none), or null. */
    public String stoppedBecause() {
        return stoppedBecause;
    }

    /**
     * Reads and writes one chunk of records.
     *
     * @return the records handled (0 when caught up with the high watermark or stopped)
     */
    public int doWork() throws ExecutionException, TimeoutException, InterruptedException {
        if (stoppedBecause != null || commitWanted) {
            return 0;
        }
        long logStart = source.logStartOffset();
        if (nextOffset < logStart) {
            LOG.warn("Partition {} of table {}: offsets [{}, {}) were deleted from the log before they were written "
                + "to the table; they are skipped", partition, table.name(), nextOffset, logStart);
            nextOffset = logStart;
        }
        if (nextOffset >= source.highWatermark()) {
            waitForAppend();
            return 0;
        }
        ByteBuffer batches = read(nextOffset).get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<SourceRecord> records = new ArrayList<>();
        long end = RecordBatchDecoder.decode(partition, batches, nextOffset, records);
        if (end == nextOffset) {
            waitForAppend();
            return 0;
        }
        if (end < source.highWatermark()) {
            // Behind the log end (a backfill, a worker catching up): the next chunk comes from the
            // object store while this one converts.
            readAhead = new ReadAhead(end, source.read(end, readBytes));
        }
        write(records, end);
        return Math.max(1, records.size());
    }

    /** The chunk at {@code offset}: the one read ahead if it starts there, else a new read. */
    private CompletableFuture<ByteBuffer> read(long offset) {
        ReadAhead ahead = readAhead;
        readAhead = null;
        return ahead != null && ahead.offset() == offset ? ahead.chunk() : source.read(offset, readBytes);
    }

    /** A chunk read before the worker needs it, and where it starts. */
    private record ReadAhead(long offset, CompletableFuture<ByteBuffer> chunk) {}

    /** A converted record and what to do with it. */
    private record Row(long offset, Record row, boolean delete) {}

    /** The table's schema and spec as one chunk is written, read together with its lock held. */
    private record Layout(Schema schema, PartitionSpec spec) {}

    private void write(List<SourceRecord> records, long end) {
        RecordConverter.Analysis analysis = SchemaEvolution.analyzeAndEvolve(table, converter, records,
            target.partitioning());
        Layout layout;
        synchronized (table) {
            layout = new Layout(table.schema(), table.spec());
        }
        if (target.upsert().isPresent() && rows != null && outdated(rows, layout)) {
            commitWanted = true; // this chunk is read again after the commit
            return;
        }
        List<RecordConverter.Failure> failures = new ArrayList<>(analysis.failed());
        List<Row> rowsToWrite = new ArrayList<>(analysis.accepted().size());
        for (RecordConverter.Parsed parsed : analysis.accepted()) {
            Record row = converter.toRow(parsed, layout.schema());
            String unkeyed = target.upsert().map(upsert -> missingKey(upsert, row)).orElse(null);
            if (unkeyed != null) {
                failures.add(new RecordConverter.Failure(parsed.source(), unkeyed));
            } else {
                rowsToWrite.add(new Row(parsed.source().offset(), row, isDelete(parsed, row)));
            }
        }
        failures.sort(Comparator.comparingLong(failure -> failure.source().offset()));
        if (!failures.isEmpty() && target.deadLetterTable() == null) {
            RecordConverter.Failure first = failures.get(0);
            stoppedBecause = "Offset " + first.source().offset() + " of partition " + partition + " does not convert: "
                + first.reason();
            LOG.error("The table writes of partition {} of table {} stopped (errors.tolerance=none): {}", partition,
                table.name(), stoppedBecause);
            rowsToWrite.removeIf(row -> row.offset() >= first.source().offset());
            failures.clear();
            end = first.source().offset();
        }
        for (RecordConverter.Parsed parsed : analysis.accepted()) {
            bufferedBytes += size(parsed.source().key()) + size(parsed.source().value());
        }
        if (!rowsToWrite.isEmpty()) {
            RowWriter writer = rowWriter(layout, rowsToWrite);
            for (Row row : rowsToWrite) {
                if (row.delete()) {
                    writer.delete(row.row());
                } else {
                    writer.write(row.row());
                }
            }
        }
        if (!failures.isEmpty()) {
            RowWriter writer = deadLetterWriter();
            for (RecordConverter.Failure failure : failures) {
                writer.write(DeadLetters.toRow(failure, writer.schema()));
            }
        }
        nextOffset = end;
    }

    private static int size(ByteBuffer bytes) {
        return bytes == null ? 0 : bytes.remaining();
    }

    /** About how much memory the open files hold: the record bytes written to them since they opened. */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /**
     * Frees the memory of the open files: appends finish them (they wait for the commit with the
     * others); upserts ask for a commit instead, as a new writer in the same commit would leave
     * a key written by both twice ({@link #wantsCommit}).
     */
    public void releaseMemory() {
        if (target.upsert().isPresent()) {
            commitWanted = rows != null;
            if (deadLetters != null) {
                deadLettersWritten.add(deadLetters.finish());
                deadLetters = null;
            }
        } else {
            finishWriters();
        }
    }

    /** Why {@code row} cannot be upserted (an id column without a value), or null. */
    private static String missingKey(UpsertMode upsert, Record row) {
        for (String column : upsert.idColumns()) {
            if (row.struct().field(column) == null || row.getField(column) == null) {
                return "The record has no value for the id column " + column
                    + (isTombstone(row) && !column.equals(KafkaColumns.KEY)
                        ? " (a tombstone deletes by key only when the id column is " + KafkaColumns.KEY + ")" : "");
            }
        }
        return null;
    }

    private static boolean isTombstone(Record row) {
        return row.struct().fields().stream().filter(field -> !KafkaColumns.isReserved(field.name()))
            .allMatch(field -> row.getField(field.name()) == null);
    }

    /** Whether a record deletes its key: a tombstone, or a delete operation in the CDC field. */
    private boolean isDelete(RecordConverter.Parsed parsed, Record row) {
        if (target.upsert().isEmpty()) {
            return false;
        }
        if (parsed.source().value() == null) {
            return true;
        }
        return target.upsert().get().cdcField()
            .map(field -> row.struct().field(field) != null && UpsertMode.isDelete(row.getField(field)))
            .orElse(false);
    }

    /**
     * The writer of rows in {@code layout}; one in an older layout is finished first. A new
     * append writer's Parquet settings follow the first rows it gets ({@link WideColumns}).
     */
    private RowWriter rowWriter(Layout layout, List<Row> first) {
        if (rows != null && outdated(rows, layout)) {
            written.add(rows.finish());
            rows = null;
        }
        if (rows == null) {
            synchronized (table) {
                rows = target.upsert().isPresent()
                    ? UpsertRowWriter.create(table, layout.schema(), layout.spec(), target.upsert().get().idColumns(),
                        partition, taskIds++)
                    : new AppendRowWriter(table, layout.schema(), layout.spec(), WideColumns.writerProperties(
                        layout.schema(), table.properties(), first.stream().map(Row::row).toList()), partition,
                        taskIds++);
            }
        }
        return rows;
    }

    /** Whether a writer's schema or spec is not {@code layout}'s. */
    private static boolean outdated(RowWriter writer, Layout layout) {
        return writer.schema().schemaId() != layout.schema().schemaId()
            || writer.spec().specId() != layout.spec().specId();
    }

    private RowWriter deadLetterWriter() {
        if (deadLetters == null) {
            Table deadLetterTable = target.deadLetterTable();
            synchronized (deadLetterTable) {
                deadLetters = new AppendRowWriter(deadLetterTable, deadLetterTable.schema(), deadLetterTable.spec(),
                    Map.of(), partition, taskIds++);
            }
        }
        return deadLetters;
    }

    private void waitForAppend() {
        if (waiting.compareAndSet(false, true)) {
            appendWait = source.onNextAppend(() -> {
                waiting.set(false);
                wakeUp.run();
            });
            // The high watermark may have moved between the check and the registration.
            if (nextOffset < source.highWatermark()) {
                wakeUp.run();
            }
        }
    }

    /**
     * Closes the open files and returns everything written since the last drain, with its
     * offset range; null if no offset was read since. The next files start at the end of these.
     */
    public PartitionFiles drain() {
        commitWanted = false;
        if (nextOffset == startOffset) {
            return null;
        }
        finishWriters();
        WriteResult data = written.build();
        PartitionFiles files = new PartitionFiles(partition, startOffset, nextOffset, List.of(data.dataFiles()),
            List.of(data.deleteFiles()), List.of(deadLettersWritten.build().dataFiles()));
        written = WriteResult.builder();
        deadLettersWritten = WriteResult.builder();
        startOffset = nextOffset;
        return files;
    }

    private void finishWriters() {
        bufferedBytes = 0;
        if (rows != null) {
            written.add(rows.finish());
            rows = null;
        }
        if (deadLetters != null) {
            deadLettersWritten.add(deadLetters.finish());
            deadLetters = null;
        }
    }

    /**
     * Forgets everything not yet drained and reads again from {@code offset}: the table's
     * committed offset after a refused commit or a failure. Returns the files already written,
     * for the caller to delete (they are in no snapshot).
     */
    public List<String> resetTo(long offset) {
        List<String> orphans = new ArrayList<>();
        try {
            finishWriters();
        } catch (RuntimeException e) {
            LOG.debug("Closing the files of partition {} before a reset failed: {}", partition, e.toString());
        }
        WriteResult data = written.build();
        for (ContentFile<?> file : data.dataFiles()) {
            orphans.add(file.location());
        }
        for (ContentFile<?> file : data.deleteFiles()) {
            orphans.add(file.location());
        }
        for (ContentFile<?> file : deadLettersWritten.build().dataFiles()) {
            orphans.add(file.location());
        }
        written = WriteResult.builder();
        deadLettersWritten = WriteResult.builder();
        startOffset = offset;
        nextOffset = offset;
        stoppedBecause = null;
        commitWanted = false;
        return orphans;
    }

    /** Stops waiting for appends; files not drained are left behind (in no snapshot). */
    @Override
    public void close() {
        AutoCloseable wait = appendWait;
        if (wait != null) {
            try {
                wait.close();
            } catch (Exception e) {
                LOG.debug("Cannot cancel the append wait of partition {}: {}", partition, e.toString());
            }
        }
        rows = null;
        deadLetters = null;
    }
}
