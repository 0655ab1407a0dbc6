package io.lakestream.benchmarks;

import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.table.PartitionSource;
import io.lakestream.table.TableFormat;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import io.lakestream.table.partition.TablePartitioning;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.write.PartitionFiles;
import io.lakestream.table.write.PartitionWorker;
import io.lakestream.table.write.TableTarget;
import io.lakestream.table.write.WriterClassLoader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a table topic does with one 4 MiB chunk of a partition, per commit: a
 * {@link PartitionWorker} decodes the record batches, parses the 1 KiB JSON values (as
 * benchmarks/table-ingest.sh produces them), converts them to rows and writes one Parquet file
 * into a table on a local directory, which it then closes. The {@code rows} counter gives rows/s.
 * Run with {@code -t 2} for two partitions written at once, each by its own worker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Threads(1)
public class TableChunkWriteBenchmark {
    private static final int RECORD_BYTES = 1024;
    private static final int CHUNK_BYTES = 4 << 20;
    private static final int RECORDS_PER_BATCH = 500;
    private static final String FILLER = "x".repeat(RECORD_BYTES);

    private Path dir;
    private LocalDirectoryObjectStorage storage;
    private Table table;
    private ByteBuffer chunk;
    private final AtomicInteger partitions = new AtomicInteger();

    @Setup(Level.Trial)
    public void createTable() throws IOException {
        dir = BenchmarkDirs.create("table-write");
        storage = new LocalDirectoryObjectStorage(dir.resolve("objects"));
        ObjectLocations locations = new ObjectLocations(dir.resolve("objects").toUri().toString());
        ObjectStoreCatalog catalog = new ObjectStoreCatalog("bench", storage,
            new ObjectStoreFileIO(storage, locations, dir.resolve("spill")), "catalog/", "warehouse/");
        catalog.createNamespace(Namespace.of("default"));
        // The properties a table topic's table gets (TopicTable).
        table = catalog.buildTable(TableIdentifier.of("default", "ingest"),
                TableFormat.JSON.newConverter(SchemaLookup.NONE).initialSchema())
            .withProperties(Map.of(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(128L << 20),
                TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, String.valueOf(32L << 20)))
            .create();
        chunk = chunkOfEvents();
    }

    /** About {@value #CHUNK_BYTES} bytes of batches of JSON events, offsets from 0. */
    private static ByteBuffer chunkOfEvents() {
        List<ByteBuffer> batches = new ArrayList<>();
        int size = 0;
        long offset = 0;
        while (size < CHUNK_BYTES) {
            SimpleRecord[] records = new SimpleRecord[RECORDS_PER_BATCH];
            for (int i = 0; i < records.length; i++, offset++) {
                records[i] = new SimpleRecord(offset, null, event(offset));
            }
            ByteBuffer batch = MemoryRecords.withRecords(offset - records.length, Compression.NONE, records).buffer();
            batches.add(batch);
            size += batch.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        batches.forEach(all::put);
        return all.flip().asReadOnlyBuffer();
    }

    /** A JSON object of {@value #RECORD_BYTES} bytes, as TableIngestBenchmark produces it. */
    private static byte[] event(long id) {
        String head = "{\"id\": " + id + ", \"user\": \"user-" + (id % 10_000) + "\", \"event\": \"click\", \"ts\": "
            + (1_700_000_000_000L + id) + ", \"payload\": \"";
        String json = head + FILLER.substring(0, RECORD_BYTES - head.length() - 2) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void deleteTable() throws IOException {
        storage.close();
        BenchmarkDirs.delete(dir);
    }

    /** One Kafka partition: its own worker, as each partition of a table topic has. */
    @State(Scope.Thread)
    public static class Partition {
        int partition;

        @Setup(Level.Trial)
        public void assign(TableChunkWriteBenchmark bench) {
            partition = bench.partitions.getAndIncrement();
            // As on the broker's table writer threads (TableTopicService).
            Thread.currentThread().setContextClassLoader(
                new WriterClassLoader(TableChunkWriteBenchmark.class.getClassLoader()));
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Rows {
        public long rows;

        @Setup(Level.Iteration)
        public void clear() {
            rows = 0;
        }
    }

    @Benchmark
    public PartitionFiles writeChunk(Partition partition, Rows rows) throws Exception {
        ChunkSource source = new ChunkSource(chunk);
        PartitionWorker worker = new PartitionWorker(partition.partition, source,
            TableFormat.JSON.newConverter(SchemaLookup.NONE), new TableTarget(table, null, new TablePartitioning(List.of()),
            Optional.empty()), 0, CHUNK_BYTES, () -> { });
        rows.rows += worker.doWork();
        PartitionFiles files = worker.drain();
        worker.close();
        for (DataFile file : files.dataFiles()) {
            table.io().deleteFile(file.location());
        }
        return files;
    }

    /** A partition log holding one chunk of batches. */
    private record ChunkSource(ByteBuffer chunk) implements PartitionSource {
        @Override
        public long logStartOffset() {
            return 0;
        }

        @Override
        public long highWatermark() {
            return Long.MAX_VALUE;
        }

        @Override
        public CompletableFuture<ByteBuffer> read(long offset, int maxBytes) {
            return CompletableFuture.completedFuture(chunk.duplicate());
        }

        @Override
        public AutoCloseable onNextAppend(Runnable callback) {
            return () -> { };
        }
    }
}
