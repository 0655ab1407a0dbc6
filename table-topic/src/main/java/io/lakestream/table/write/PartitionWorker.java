package io.lakestream.table.write;

import io.lakestream.table.PartitionSource;
import io.lakestream.table.convert.DeadLetters;
import io.lakestream.table.convert.RecordConverter;
import io.lakestream.table.convert.SourceRecord;
import io.lakestream.table.partition.TablePartitioning;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one partition's records into Parquet data files of its topic's table, from the
 * offset the table last committed for the partition. Each {@link #doWork} reads one chunk,
 * evolves the table's schema if the chunk needs it, converts the records and writes the rows;
 * records that do not convert go to the dead-letter table, or stop the worker at the first one
 * (errors.tolerance=none). {@link #drain} hands the files of everything read so far, with
 * their offset range, to the commit; nothing is visible until that commits.
 *
 * <p>Single-threaded: owned by its topic's {@code TopicTable}, on the table-topic thread.
 */
public final class PartitionWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);
    private static final long READ_TIMEOUT_SECONDS = 60;

    private final int partition;
    private final PartitionSource source;
    private final RecordConverter converter;
    private final Table table;
    private final Table deadLetterTable;
    private final TablePartitioning partitioning;
    private final int readBytes;
    private final Runnable wakeUp;

    /** The first offset not yet handed to a commit. */
    private long startOffset;
    /** The next offset to read. */
    private long nextOffset;
    private RowFileWriter rows;
    private RowFileWriter deadLetters;
    private final List<DataFile> closedDataFiles = new ArrayList<>();
    private final List<DataFile> closedDeadLetterFiles = new ArrayList<>();
    private long taskIds;
    private String stoppedBecause;
    /** Whether a wake-up is registered with the source; cleared by the source's thread when it fires. */
    private final AtomicBoolean waiting = new AtomicBoolean();
    private AutoCloseable appendWait;

    /**
     * @param deadLetterTable where records that do not convert go; null to stop at the first one
     * @param wakeUp run (on another thread) when the partition has new records after the worker caught up
     */
    public PartitionWorker(int partition, PartitionSource source, RecordConverter converter, Table table,
                           Table deadLetterTable, TablePartitioning partitioning, long startOffset, int readBytes,
                           Runnable wakeUp) {
        this.partitioning = partitioning;
        this.partition = partition;
        this.source = source;
        this.converter = converter;
        this.table = table;
        this.deadLetterTable = deadLetterTable;
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
        if (stoppedBecause != null) {
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
        ByteBuffer batches = source.read(nextOffset, readBytes).get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<SourceRecord> records = new ArrayList<>();
        long end = RecordBatchDecoder.decode(partition, batches, nextOffset, records);
        if (end == nextOffset) {
            waitForAppend();
            return 0;
        }
        write(records, end);
        return Math.max(1, records.size());
    }

    private void write(List<SourceRecord> records, long end) {
        int schemaId = table.schema().schemaId();
        RecordConverter.Analysis analysis = SchemaEvolution.analyzeAndEvolve(table, converter, records);
        if (!analysis.failed().isEmpty() && deadLetterTable == null) {
            RecordConverter.Failure first = analysis.failed().get(0);
            stoppedBecause = "Offset " + first.source().offset() + " of partition " + partition + " does not convert: "
                + first.reason();
            LOG.error("The table writes of partition {} of table {} stopped (errors.tolerance=none): {}", partition,
                table.name(), stoppedBecause);
            List<SourceRecord> before = records.stream().filter(r -> r.offset() < first.source().offset()).toList();
            analysis = SchemaEvolution.analyzeAndEvolve(table, converter, before);
            end = first.source().offset();
        }
        if (table.schema().schemaId() != schemaId) {
            partitioning.apply(table); // a partition field's column may have just appeared
        }
        if (!analysis.accepted().isEmpty()) {
            RowFileWriter writer = rowWriter();
            for (RecordConverter.Parsed parsed : analysis.accepted()) {
                writer.write(converter.toRow(parsed, writer.schema()));
            }
        }
        if (!analysis.failed().isEmpty() && deadLetterTable != null) {
            RowFileWriter writer = deadLetterWriter();
            for (RecordConverter.Failure failure : analysis.failed()) {
                writer.write(DeadLetters.toRow(failure, writer.schema()));
            }
        }
        nextOffset = end;
    }

    /** The writer of rows in the table's current schema and spec; one in older ones is closed first. */
    private RowFileWriter rowWriter() {
        if (rows != null && (rows.schema().schemaId() != table.schema().schemaId()
            || rows.spec().specId() != table.spec().specId())) {
            closedDataFiles.addAll(rows.close());
            rows = null;
        }
        if (rows == null) {
            rows = new RowFileWriter(table, partition, taskIds++);
        }
        return rows;
    }

    private RowFileWriter deadLetterWriter() {
        if (deadLetters == null) {
            deadLetters = new RowFileWriter(deadLetterTable, partition, taskIds++);
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
        if (nextOffset == startOffset) {
            return null;
        }
        closeWriters();
        PartitionFiles files = new PartitionFiles(partition, startOffset, nextOffset, closedDataFiles,
            closedDeadLetterFiles);
        closedDataFiles.clear();
        closedDeadLetterFiles.clear();
        startOffset = nextOffset;
        return files;
    }

    private void closeWriters() {
        if (rows != null) {
            closedDataFiles.addAll(rows.close());
            rows = null;
        }
        if (deadLetters != null) {
            closedDeadLetterFiles.addAll(deadLetters.close());
            deadLetters = null;
        }
    }

    /**
     * Forgets everything not yet drained and reads again from {@code offset}: the table's
     * committed offset after a refused commit or a failure. Files already written are left
     * for the caller to delete (they are in no snapshot).
     */
    public List<String> resetTo(long offset) {
        List<String> orphans = new ArrayList<>();
        try {
            closeWriters();
        } catch (RuntimeException e) {
            LOG.debug("Closing the files of partition {} before a reset failed: {}", partition, e.toString());
        }
        closedDataFiles.forEach(file -> orphans.add(file.location()));
        closedDeadLetterFiles.forEach(file -> orphans.add(file.location()));
        closedDataFiles.clear();
        closedDeadLetterFiles.clear();
        startOffset = offset;
        nextOffset = offset;
        stoppedBecause = null;
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
