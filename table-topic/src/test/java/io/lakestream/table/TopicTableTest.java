package io.lakestream.table;

import static io.lakestream.table.testing.ConfluentValues.avro;
import static io.lakestream.table.testing.ConfluentValues.framed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.table.commit.CommittedOffsets;
import io.lakestream.table.partition.PartitionField;
import io.lakestream.table.registry.InMemoryRegistryLog;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.registry.SchemaRegistry;
import io.lakestream.table.registry.SchemaType;
import io.lakestream.table.testing.InMemoryPartition;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.testing.TableStores.Kind;
import io.lakestream.table.testing.TableStores.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TopicTableTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();
    private static final long INTERVAL_MS = 5_000;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final String topicId = UUID.randomUUID().toString();

    private TableTopicSettings settings(Optional<TableIdentifier> deadLetters) {
        return new TableTopicSettings("orders", topicId, TableIdentifier.of("lake", "orders"),
            Duration.ofMillis(INTERVAL_MS), TableFormat.JSON, deadLetters);
    }

    private TopicTable topicTable(Catalog catalog, TableTopicSettings settings) {
        return new TopicTable(settings, catalog, clock::get, () -> { }, new SimpleMeterRegistry());
    }

    /** Steps until the workers are idle, then lets the interval pass and steps once more (the commit). */
    private void writeAndCommit(TopicTable table) {
        writeAll(table);
        clock.addAndGet(INTERVAL_MS);
        table.doWork();
    }

    /**
     * For a table whose workers step on a writer executor of threads: steps until the workers
     * read up to {@code offsets}, lets the interval pass, and steps until those are committed.
     */
    private void writeAndCommitOnWriterThreads(TopicTable table, Map<Integer, Long> offsets) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
            .until(() -> readUpTo(table).equals(offsets));
        clock.addAndGet(INTERVAL_MS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
            table.doWork();
            return table.status().committedOffsets().equals(offsets);
        });
    }

    /** Steps once, then where each worker between steps reads next, by partition. */
    private static Map<Integer, Long> readUpTo(TopicTable table) {
        table.doWork();
        Map<Integer, Long> read = new HashMap<>();
        table.workers().forEach(worker -> read.put(worker.partition(), worker.nextOffset()));
        return read;
    }

    /** {@code partition}, whose reads go through {@code reads} instead. */
    private record ReadThrough(PartitionSource partition,
                               BiFunction<Long, Integer, CompletableFuture<ByteBuffer>> reads)
        implements PartitionSource {
        @Override
        public long logStartOffset() {
            return partition.logStartOffset();
        }

        @Override
        public long highWatermark() {
            return partition.highWatermark();
        }

        @Override
        public CompletableFuture<ByteBuffer> read(long offset, int maxBytes) {
            return reads.apply(offset, maxBytes);
        }

        @Override
        public AutoCloseable onNextAppend(Runnable callback) {
            return partition.onNextAppend(callback);
        }
    }

    @Test
    void aWorkerWaitingForItsReadHoldsBackNoOtherWorker() throws IOException {
        ExecutorService writers = Executors.newFixedThreadPool(2);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = new TopicTable(settings(Optional.empty()), catalog, SchemaLookup.NONE, clock::get,
                () -> { }, new SimpleMeterRegistry(), Runnable::run, writers, Runnable::run);
            InMemoryPartition slow = new InMemoryPartition();
            appendOrders(slow, 0, 100, 10);
            // Its reads answer only once the gate opens.
            table.lead(0, new ReadThrough(slow,
                (offset, maxBytes) -> gate.thenCompose(open -> slow.read(offset, maxBytes))));
            InMemoryPartition fast = new InMemoryPartition();
            table.lead(1, fast);

            // Partition 1 takes five chunks, one after another, while partition 0's read hangs.
            for (int round = 1; round <= 5; round++) {
                appendOrders(fast, 1_000 + round * 100L, 100, 10);
                long end = round * 100L;
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> readUpTo(table).get(1), offset -> offset != null && offset == end);
            }
            assertThat(readUpTo(table)).as("partition 0 is still in its first step").doesNotContainKey(0);

            gate.complete(null);
            writeAndCommitOnWriterThreads(table, Map.of(0, 100L, 1, 500L));
            List<Record> rows = rows(catalog.loadTable(TableIdentifier.of("lake", "orders")));
            assertThat(rows).hasSize(600);
            assertThat(rows.stream().map(row -> row.getField("id")).collect(Collectors.toSet())).hasSize(600);
            table.close();
        } finally {
            gate.complete(null);
            writers.shutdown();
        }
    }

    private static void writeAll(TopicTable table) {
        for (int i = 0; i < 10_000 && table.doWork() > 0; i++) {
            // each pass reads one chunk of every partition
        }
    }

    private static String order(long id) {
        return "{\"id\": " + id + ", \"item\": \"sku-" + (id % 17) + "\", \"qty\": " + (id % 5) + "}";
    }

    private static void appendOrders(InMemoryPartition partition, long firstId, int count, int perBatch) {
        for (long id = firstId; id < firstId + count; id += perBatch) {
            List<String> values = new ArrayList<>();
            for (long i = id; i < Math.min(firstId + count, id + perBatch); i++) {
                values.add(order(i));
            }
            partition.append(id % 2 == 0 ? CompressionType.NONE : CompressionType.ZSTD, values.toArray(String[]::new));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyRecordOfEveryPartitionIsCommittedOnceInOneSnapshot(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()));
            Map<Integer, InMemoryPartition> partitions = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                InMemoryPartition partition = new InMemoryPartition();
                appendOrders(partition, p * 100_000L, 2_000, 100);
                partitions.put(p, partition);
                table.lead(p, partition);
            }

            writeAndCommit(table);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.snapshots()).as("one snapshot for all partitions").hasSize(1);
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 2000L, 1, 2000L, 2, 2000L));
            List<Record> rows = rows(iceberg);
            assertThat(rows).hasSize(6_000);
            assertThat(rows.stream().map(r -> r.getField("id")).distinct().count()).isEqualTo(6_000);
            assertThat(rows.stream().map(r -> r.getField("_kafka_partition") + "/" + r.getField("_kafka_offset"))
                .distinct().count()).isEqualTo(6_000);
            assertThat(iceberg.schema().findField("qty").type()).isEqualTo(Types.IntegerType.get());
            assertThat(table.status().lag()).isZero();
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aStepThatOutlastsTheIntervalIsCommittedRightAfterIt(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()));
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 1_000, 100);
            // Every read takes a commit interval (of the test's clock).
            table.lead(0, new ReadThrough(partition, (offset, maxBytes) -> {
                clock.addAndGet(INTERVAL_MS);
                return partition.read(offset, maxBytes);
            }));

            table.doWork(); // opens the table, then reads and writes the only chunk, longer than the interval

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.snapshots()).as("snapshots after one step that took longer than the commit interval")
                .hasSize(1);
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1000L));
            table.close();
        }
    }


    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRestartResumesFromTheCommittedOffsetsSoNothingIsLostOrRepeated(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = "p-" + UUID.randomUUID() + "/";
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 1_000, 50);
            TopicTable first = topicTable(store.catalog(prefix), settings(Optional.empty()));
            first.lead(0, partition);
            writeAndCommit(first);
            appendOrders(partition, 1_000, 1_000, 50);
            writeAll(first); // written to files, never committed: the broker dies here
            first.close();

            TopicTable second = topicTable(store.catalog(prefix), settings(Optional.empty()));
            second.lead(0, partition);
            appendOrders(partition, 2_000, 500, 50);
            writeAndCommit(second);

            Table iceberg = store.catalog(prefix).loadTable(TableIdentifier.of("lake", "orders"));
            List<Record> rows = rows(iceberg);
            assertThat(rows).hasSize(2_500);
            assertThat(rows.stream().map(r -> r.getField("id")).distinct().count()).isEqualTo(2_500);
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 2500L));
            second.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void filesOfARangeAnotherWriterCommittedFirstAreRefused(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = "p-" + UUID.randomUUID() + "/";
            InMemoryPartition partition = new InMemoryPartition();
            Contenders both = contenders(store.catalog(prefix), partition, Runnable::run);
            TopicTable leader = both.leader();
            TopicTable zombie = both.zombie();

            clock.addAndGet(INTERVAL_MS);
            leader.doWork();
            zombie.doWork(); // refused: the leader committed [0, 1000) first

            appendOrders(partition, 1_000, 300, 100);
            writeAndCommit(zombie); // starts again from 1000, the table's offset
            writeAndCommit(leader); // its [1000, 1300) is now refused in turn

            Table iceberg = store.catalog(prefix).loadTable(TableIdentifier.of("lake", "orders"));
            List<Record> rows = rows(iceberg);
            assertThat(rows.stream().map(r -> r.getField("_kafka_offset")).distinct().count()).isEqualTo(1_300);
            assertThat(rows).hasSize(1_300);
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1300L));
            leader.close();
            zombie.close();
        }
    }

    /** Commits held until the test runs them: a commit stays in flight for as long as the test wants. */
    private static final class HeldCommits implements Executor {
        private final List<Runnable> held = new ArrayList<>();

        @Override
        public void execute(Runnable commit) {
            held.add(commit);
        }

        int size() {
            return held.size();
        }

        void runAll() {
            List<Runnable> commits = new ArrayList<>(held);
            held.clear();
            commits.forEach(Runnable::run);
        }
    }

    /** Runs the held commit, then steps {@code table} once, which takes its outcome. */
    private static void endHeldCommit(HeldCommits commits, TopicTable table) {
        commits.runAll();
        table.doWork();
    }

    /** Two tables that both believe they lead a partition (one is a zombie). */
    private record Contenders(TopicTable leader, TopicTable zombie) {}

    /**
     * Contenders for {@code partition} as partition 0, each with the same first 1,000 rows
     * written (not committed); the leader commits on {@code leaderCommits}.
     */
    private Contenders contenders(Catalog catalog, InMemoryPartition partition, Executor leaderCommits) {
        appendOrders(partition, 0, 1_000, 100);
        TopicTable leader = topicTable(catalog, settings(Optional.empty()), leaderCommits);
        TopicTable zombie = topicTable(catalog, settings(Optional.empty()));
        leader.lead(0, partition);
        zombie.lead(0, partition);
        writeAll(leader);
        writeAll(zombie);
        return new Contenders(leader, zombie);
    }

    private TopicTable topicTable(Catalog catalog, TableTopicSettings settings, Executor commits) {
        return new TopicTable(settings, catalog, SchemaLookup.NONE, clock::get, () -> { }, new SimpleMeterRegistry(),
            Runnable::run, Runnable::run, commits);
    }

    /** The Kafka partition and offset of every row, as "partition/offset". */
    private static Set<String> partitionOffsets(Table table) throws IOException {
        List<Record> rows = rows(table);
        Set<String> offsets = rows.stream().map(r -> r.getField("_kafka_partition") + "/" + r.getField("_kafka_offset"))
            .collect(Collectors.toSet());
        assertThat(offsets).as("rows of one offset").hasSize(rows.size());
        return offsets;
    }

    private static Set<String> partitionOffsets(int partitions, long end) {
        Set<String> offsets = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            for (long offset = 0; offset < end; offset++) {
                offsets.add(p + "/" + offset);
            }
        }
        return offsets;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void workersWriteOnWhileACommitIsInFlightWhichCommitsExactlyTheOffsetsOfItsFiles(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            HeldCommits commits = new HeldCommits();
            TopicTable table = topicTable(catalog, settings(Optional.empty()), commits);
            List<InMemoryPartition> partitions = List.of(new InMemoryPartition(), new InMemoryPartition());
            for (int p = 0; p < 2; p++) {
                appendOrders(partitions.get(p), p * 100_000L, 1_000, 100);
                table.lead(p, partitions.get(p));
            }
            writeAndCommit(table); // drains [0, 1000) of both and starts their commit, held
            assertThat(commits.size()).as("commits started").isEqualTo(1);

            for (int p = 0; p < 2; p++) {
                appendOrders(partitions.get(p), p * 100_000L + 1_000, 500, 100);
            }
            writeAll(table);
            assertThat(table.workers()).as("workers, after writing while the commit is in flight")
                .allSatisfy(worker -> assertThat(worker.nextOffset()).isEqualTo(1_500L));
            clock.addAndGet(INTERVAL_MS);
            table.doWork(); // a commit is due, but one is in flight
            assertThat(commits.size()).as("commits started while one is in flight").isEqualTo(1);
            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.snapshots()).as("snapshots before the commit ran").isEmpty();

            endHeldCommit(commits, table); // takes its outcome, then starts the next commit (due), held
            iceberg.refresh();
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1000L, 1, 1000L));
            assertThat(partitionOffsets(iceberg)).as("rows of the first commit").isEqualTo(partitionOffsets(2, 1_000));
            assertThat(table.status().committedOffsets()).isEqualTo(Map.of(0, 1000L, 1, 1000L));

            assertThat(commits.size()).as("commits started after the first ended").isEqualTo(1);
            endHeldCommit(commits, table);
            iceberg.refresh();
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1500L, 1, 1500L));
            assertThat(partitionOffsets(iceberg)).as("rows of both commits").isEqualTo(partitionOffsets(2, 1_500));
            assertThat(iceberg.snapshots()).hasSize(2);
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCommitRefusedWhileTheWorkerWroteOnRestartsItAtTheTablesOffset(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = "p-" + UUID.randomUUID() + "/";
            InMemoryPartition partition = new InMemoryPartition();
            HeldCommits commits = new HeldCommits();
            Contenders both = contenders(store.catalog(prefix), partition, commits);
            TopicTable leader = both.leader();
            TopicTable zombie = both.zombie();
            clock.addAndGet(INTERVAL_MS);
            leader.doWork(); // the commit of [0, 1000), held

            appendOrders(partition, 1_000, 500, 100);
            writeAll(leader); // [1000, 1500) into new files while the commit is in flight
            writeAndCommit(zombie); // commits [0, 1500) first
            // Refused: the worker starts again at 1500, and what it wrote since the drain is dropped.
            endHeldCommit(commits, leader);
            assertThat(leader.workers().iterator().next().nextOffset()).isEqualTo(1_500L);
            assertThat(commits.size()).as("commits started with nothing new written").isZero();

            appendOrders(partition, 1_500, 300, 100);
            writeAndCommit(leader);
            endHeldCommit(commits, leader);

            Table iceberg = store.catalog(prefix).loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(partitionOffsets(iceberg)).isEqualTo(partitionOffsets(1, 1_800));
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1800L));
            leader.close();
            zombie.close();
        }
    }

    /** Whether {@code thread} waits to enter the monitor of {@code lock}. */
    private static boolean blockedOn(Thread thread, Object lock) {
        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.getId());
        return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
            && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(lock);
    }

    @Test
    void aCommitRefusedWhileTheWorkerStepsResetsItOnlyOnceTheStepEnded() throws IOException {
        List<Thread> writerThreads = new CopyOnWriteArrayList<>();
        ExecutorService writers = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "table-writer");
            thread.setDaemon(true);
            writerThreads.add(thread);
            return thread;
        });
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 1_000, 100);
            HeldCommits commits = new HeldCommits();
            TopicTable leader = new TopicTable(settings(Optional.empty()), catalog, SchemaLookup.NONE, clock::get,
                () -> { }, new SimpleMeterRegistry(), Runnable::run, writers, commits);
            TopicTable zombie = topicTable(catalog, settings(Optional.empty()));
            leader.lead(0, partition);
            zombie.lead(0, partition);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> readUpTo(leader).equals(Map.of(0, 1000L)));
            writeAll(zombie);
            clock.addAndGet(INTERVAL_MS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                leader.doWork();
                return commits.size() == 1; // the commit of [0, 1000), held
            });

            // The leader's step of [1000, 1500) waits for the table's lock (held here) to write
            // its chunk, while the zombie commits [0, 1500) and the leader's commit is refused.
            Table locked = leader.table();
            appendOrders(partition, 1_000, 500, 100);
            synchronized (locked) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).pollInSameThread()
                    .until(() -> {
                        leader.doWork();
                        return blockedOn(writerThreads.get(0), locked);
                    });
                writeAndCommit(zombie);
                endHeldCommit(commits, leader);
                assertThat(leader.status().committedOffsets()).as("offsets after the refusal").isEqualTo(Map.of(0, 1500L));
                assertThat(leader.workers()).as("workers between steps, the refused one still in its step").isEmpty();
                assertThat(blockedOn(writerThreads.get(0), locked)).as("the step waits for the lock").isTrue();
            }

            // The step ends; then the worker starts again at 1500 without what the step wrote.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> readUpTo(leader).equals(Map.of(0, 1500L)));
            appendOrders(partition, 1_500, 300, 100);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> readUpTo(leader).equals(Map.of(0, 1800L)));
            clock.addAndGet(INTERVAL_MS);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                leader.doWork();
                return commits.size() == 1;
            });
            endHeldCommit(commits, leader);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(partitionOffsets(iceberg)).isEqualTo(partitionOffsets(1, 1_800));
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1800L));
            leader.close();
            zombie.close();
        } finally {
            writers.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aTableDroppedWhileACommitIsInFlightIsCreatedAgainWithEveryRecordOfTheLog(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            HeldCommits commits = new HeldCommits();
            TopicTable table = topicTable(catalog, settings(Optional.empty()), commits);
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 300, 100);
            table.lead(0, partition);
            writeAndCommit(table); // the commit of [0, 300), held
            assertThat(catalog.dropTable(TableIdentifier.of("lake", "orders"), false)).isTrue();
            appendOrders(partition, 300, 100, 100);
            writeAll(table);

            // Finds the table gone, creates it again and writes the log from its start.
            endHeldCommit(commits, table);
            writeAndCommit(table);
            endHeldCommit(commits, table);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(partitionOffsets(iceberg)).isEqualTo(partitionOffsets(1, 400));
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 400L));
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void commitAndCloseWaitsForTheCommitInFlightThenCommitsWhatWasWrittenSince(Kind kind) throws IOException {
        ExecutorService committer = Executors.newSingleThreadExecutor();
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()), committer);
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 1_000, 100);
            table.lead(0, partition);
            writeAndCommit(table); // the commit of [0, 1000), running on the committer thread
            appendOrders(partition, 1_000, 500, 100);
            writeAll(table);

            table.commitAndClose();

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(partitionOffsets(iceberg)).isEqualTo(partitionOffsets(1, 1_500));
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 1500L));
        } finally {
            committer.shutdown();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aNewFieldAddsAColumnAndBadRecordsGoToTheDeadLetterTable(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TableIdentifier deadLetters = TableIdentifier.of("lake", "orders_dlq");
            TopicTable table = topicTable(catalog, settings(Optional.of(deadLetters)));
            InMemoryPartition partition = new InMemoryPartition();
            partition.append(order(1), order(2));
            table.lead(0, partition);
            writeAndCommit(table);

            partition.append("{\"id\": 3, \"coupon\": \"WELCOME\"}", "not json", "{\"id\": \"four\"}",
                "{\"id\": 5000000000}");
            writeAndCommit(table);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.schema().findField("coupon").type()).isEqualTo(Types.StringType.get());
            assertThat(iceberg.schema().findField("id").type()).as("int widened").isEqualTo(Types.LongType.get());
            assertThat(rows(iceberg)).extracting(r -> r.getField("id")).containsExactlyInAnyOrder(1L, 2L, 3L,
                5_000_000_000L);
            List<Record> dead = rows(catalog.loadTable(deadLetters));
            assertThat(dead).extracting(r -> r.getField("_kafka_offset")).containsExactlyInAnyOrder(3L, 4L);
            assertThat(dead).extracting(r -> (String) r.getField("error")).satisfiesExactlyInAnyOrder(
                error -> assertThat(error).contains("not JSON"),
                error -> assertThat(error).contains("Field id is"));
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 6L));
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void withToleranceNoneThePartitionStopsAtTheBadRecordAfterCommittingWhatCameBefore(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()));
            InMemoryPartition partition = new InMemoryPartition();
            partition.append(order(1), order(2), "{\"id\": [1]}", order(4));
            table.lead(0, partition);
            writeAndCommit(table);
            partition.append(order(5));
            writeAndCommit(table);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(rows(iceberg)).extracting(r -> r.getField("id")).containsExactlyInAnyOrder(1, 2);
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 2L));
            assertThat(table.status().stopped()).hasEntrySatisfying(0, reason ->
                assertThat(reason).contains("Offset 2", "Field id is int"));
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void thePartitionSpecFollowsPartitionByAsItsColumnsAppear(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TableTopicSettings settings = new TableTopicSettings("orders", topicId, TableIdentifier.of("lake", "orders"),
                Duration.ofMillis(INTERVAL_MS), TableFormat.JSON, Optional.empty(),
                List.of(PartitionField.parse("day(_kafka_timestamp)"), PartitionField.parse("bucket(4, id)")),
                Optional.empty());
            TopicTable table = topicTable(catalog, settings);
            InMemoryPartition partition = new InMemoryPartition();
            table.lead(0, partition);
            writeAndCommit(table); // no records yet: only the Kafka columns exist
            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.spec().fields()).extracting(f -> f.transform().toString()).containsExactly("day");

            appendOrders(partition, 0, 400, 100);
            writeAndCommit(table);

            iceberg.refresh();
            assertThat(iceberg.spec().fields()).extracting(f -> f.transform().toString())
                .containsExactly("day", "bucket[4]");
            List<Record> rows = rows(iceberg);
            assertThat(rows).hasSize(400);
            List<String> partitions = new ArrayList<>();
            iceberg.currentSnapshot().addedDataFiles(iceberg.io()).forEach(file ->
                partitions.add(file.partition().toString()));
            assertThat(partitions).as("one file per bucket").hasSize(4).doesNotHaveDuplicates();
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aTableDroppedUnderTheWritersIsCreatedAgainWithEveryRecordOfTheLog(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()));
            InMemoryPartition partition = new InMemoryPartition();
            appendOrders(partition, 0, 300, 100);
            table.lead(0, partition);
            writeAndCommit(table);
            assertThat(catalog.dropTable(TableIdentifier.of("lake", "orders"), false)).isTrue();

            appendOrders(partition, 300, 100, 100);
            writeAndCommit(table); // finds the table gone
            writeAndCommit(table); // creates it again and writes the log from its start

            List<Record> rows = rows(catalog.loadTable(TableIdentifier.of("lake", "orders")));
            assertThat(rows).hasSize(400);
            assertThat(rows.stream().map(r -> r.getField("_kafka_offset")).distinct().count()).isEqualTo(400);
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void upsertsLeaveOneRowPerIdAndDeletesRemoveIt(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TableIdentifier deadLetters = TableIdentifier.of("lake", "orders_dlq");
            TableTopicSettings settings = new TableTopicSettings("orders", topicId, TableIdentifier.of("lake", "orders"),
                Duration.ofMillis(INTERVAL_MS), TableFormat.JSON, Optional.of(deadLetters),
                List.of(PartitionField.parse("bucket(2, id)")),
                Optional.of(new UpsertMode(List.of("id"), Optional.of("op"))));
            TopicTable table = topicTable(catalog, settings);
            InMemoryPartition partition = new InMemoryPartition();
            partition.append("{\"id\": 1, \"v\": \"a\"}", "{\"id\": 2, \"v\": \"a\"}", "{\"id\": 1, \"v\": \"b\"}",
                "{\"id\": 4, \"v\": \"a\"}");
            table.lead(0, partition);
            writeAndCommit(table);
            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(values(iceberg)).as("after one commit").isEqualTo(Map.of(1L, "b", 2L, "a", 4L, "a"));

            partition.append("{\"id\": 2, \"v\": \"c\"}", "{\"id\": 1, \"op\": \"d\"}", "{\"v\": \"no id\"}",
                "{\"id\": 2, \"v\": \"d\", \"op\": \"u\"}", "{\"id\": 3, \"op\": \"delete\"}");
            writeAndCommit(table);

            assertThat(values(iceberg)).as("after the second commit").isEqualTo(Map.of(2L, "d", 4L, "a"));
            assertThat(rows(catalog.loadTable(deadLetters))).extracting(r -> (String) r.getField("error"))
                .singleElement().asString().contains("no value for the id column id");
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 9L));
            table.close();
        }
    }

    private static final String ORDER_V1 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":["
        + "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"item\",\"type\":\"string\"}]}";
    private static final String ORDER_V2 = ORDER_V1.replace("]}",
        ",{\"name\":\"qty\",\"type\":\"int\",\"default\":1}]}");

    @ParameterizedTest
    @EnumSource(Kind.class)
    void avroValuesGetTheSchemasColumnsANewerSchemaAddsOnesAndBadBytesGoToTheDeadLetters(Kind kind)
        throws Exception {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            SchemaRegistry registry = new SchemaRegistry(new InMemoryRegistryLog());
            int v1 = registry.register("orders-value", SchemaType.AVRO, ORDER_V1).id();
            int v2 = registry.register("orders-value", SchemaType.AVRO, ORDER_V2).id();
            TableIdentifier deadLetters = TableIdentifier.of("lake", "orders_dlq");
            TopicTable table = new TopicTable(new TableTopicSettings("orders", topicId,
                TableIdentifier.of("lake", "orders"), Duration.ofMillis(INTERVAL_MS), TableFormat.AVRO,
                Optional.of(deadLetters)), catalog, registry, clock::get, () -> { }, new SimpleMeterRegistry());
            InMemoryPartition partition = new InMemoryPartition();
            table.lead(0, partition);
            partition.append(CompressionType.NONE, framed(v1, new byte[0], avro(ORDER_V1, Map.of("id", 1L, "item", "a"))),
                "not avro".getBytes(StandardCharsets.UTF_8), framed(777, new byte[0], new byte[] {2}));
            writeAndCommit(table);
            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            assertThat(iceberg.schema().findField("qty")).as("not before a schema has it").isNull();

            partition.append(CompressionType.NONE,
                framed(v2, new byte[0], avro(ORDER_V2, Map.of("id", 2L, "item", "b", "qty", 5))), null);
            writeAndCommit(table);

            iceberg.refresh();
            assertThat(iceberg.schema().findField("id").type()).isEqualTo(Types.LongType.get());
            assertThat(iceberg.schema().findField("qty").type()).isEqualTo(Types.IntegerType.get());
            assertThat(rows(iceberg)).extracting(r -> r.getField("_kafka_offset") + ":" + r.getField("id") + ":"
                + r.getField("item") + ":" + r.getField("qty"))
                .containsExactlyInAnyOrder("0:1:a:null", "3:2:b:5", "4:null:null:null");
            assertThat(rows(catalog.loadTable(deadLetters))).extracting(r -> (String) r.getField("error"))
                .satisfiesExactlyInAnyOrder(
                    error -> assertThat(error).contains("magic byte"),
                    error -> assertThat(error).contains("Schema id 777 is not in the schema registry"));
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aKeyWrittenAgainAfterASchemaChangeInOneIntervalKeepsOneRow(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TableTopicSettings settings = new TableTopicSettings("orders", topicId, TableIdentifier.of("lake", "orders"),
                Duration.ofMillis(INTERVAL_MS), TableFormat.JSON, Optional.empty(), List.of(),
                Optional.of(new UpsertMode(List.of("id"), Optional.empty())));
            TopicTable table = topicTable(catalog, settings);
            InMemoryPartition partition = new InMemoryPartition();
            table.lead(0, partition);
            partition.append("{\"id\": 1, \"v\": \"a\"}");
            writeAll(table);
            partition.append("{\"id\": 1, \"v\": \"b\", \"note\": \"a new column\"}");
            writeAndCommit(table);

            assertThat(values(catalog.loadTable(TableIdentifier.of("lake", "orders")))).isEqualTo(Map.of(1L, "b"));
            table.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void partitionsWrittenAtOnceEachAddTheirColumnsAndKeepEveryRow(Kind kind) throws IOException {
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try (Store store = TableStores.open(kind, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = new TopicTable(settings(Optional.empty()), catalog, SchemaLookup.NONE, clock::get,
                () -> { }, new SimpleMeterRegistry(), Runnable::run, writers, Runnable::run);
            for (int p = 0; p < 4; p++) {
                InMemoryPartition partition = new InMemoryPartition();
                // Each partition brings a column of its own in every batch, so their schema changes race.
                for (int batch = 0; batch < 5; batch++) {
                    List<String> values = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        long id = p * 1_000L + batch * 50 + i;
                        values.add("{\"id\": " + id + ", \"p" + p + "_" + batch + "\": " + id + "}");
                    }
                    partition.append(values.toArray(String[]::new));
                }
                table.lead(p, partition);
            }

            writeAndCommitOnWriterThreads(table, Map.of(0, 250L, 1, 250L, 2, 250L, 3, 250L));

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            List<Record> rows = rows(iceberg);
            assertThat(rows).hasSize(1_000);
            for (Record row : rows) {
                long id = ((Number) row.getField("id")).longValue();
                String column = "p" + id / 1_000 + "_" + id % 1_000 / 50;
                assertThat(((Number) row.getField(column)).longValue()).as("column %s of row %s", column, id)
                    .isEqualTo(id);
            }
            assertThat(CommittedOffsets.of(iceberg).offsets()).isEqualTo(Map.of(0, 250L, 1, 250L, 2, 250L, 3, 250L));
            table.close();
        } finally {
            writers.shutdown();
        }
    }

    @Test
    void wideStringColumnsAreWrittenWithoutDictionaryNorStatisticsNearlyUniqueOnesWithoutDictionary()
        throws IOException {
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            Catalog catalog = store.catalog("p-" + UUID.randomUUID() + "/");
            TopicTable table = topicTable(catalog, settings(Optional.empty()));
            InMemoryPartition partition = new InMemoryPartition();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                values.add("{\"id\": " + i + ", \"item\": \"sku-" + i % 3 + "\", \"user\": \"user-" + i
                    + "\", \"payload\": \"" + i + "x".repeat(400) + "\"}");
            }
            partition.append(values.toArray(String[]::new));
            table.lead(0, partition);
            writeAndCommit(table);

            Table iceberg = catalog.loadTable(TableIdentifier.of("lake", "orders"));
            DataFile file = iceberg.currentSnapshot().addedDataFiles(iceberg.io()).iterator().next();
            Map<String, ColumnChunkMetaData> columns = new HashMap<>();
            try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(Path.of(URI.create(
                    file.location()))))) {
                reader.getFooter().getBlocks().get(0).getColumns()
                    .forEach(column -> columns.put(column.getPath().toDotString(), column));
            }
            assertThat(columns.get("payload").hasDictionaryPage()).as("dictionary of payload").isFalse();
            assertThat(columns.get("payload").getStatistics().hasNonNullValue()).as("min/max of payload").isFalse();
            assertThat(columns.get("item").hasDictionaryPage()).as("dictionary of item").isTrue();
            assertThat(columns.get("item").getStatistics().hasNonNullValue()).as("min/max of item").isTrue();
            assertThat(columns.get("user").hasDictionaryPage()).as("dictionary of user (all distinct)").isFalse();
            assertThat(columns.get("user").getStatistics().hasNonNullValue()).as("min/max of user").isTrue();
            assertThat(rows(iceberg)).hasSize(100);
            table.close();
        }
    }

    private static Map<Long, String> values(Table table) throws IOException {
        Map<Long, String> values = new HashMap<>();
        for (Record row : rows(table)) {
            Object id = row.getField("id");
            assertThat(values.put(((Number) id).longValue(), (String) row.getField("v"))).as("id %s twice", id).isNull();
        }
        return values;
    }

    static List<Record> rows(Table table) throws IOException {
        table.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
            all.forEach(rows::add);
        }
        return rows;
    }
}
