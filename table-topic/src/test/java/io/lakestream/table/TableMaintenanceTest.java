package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.table.commit.CommittedOffsets;
import io.lakestream.table.maintenance.MaintenanceSettings;
import io.lakestream.table.maintenance.TableMaintenance;
import io.lakestream.table.testing.InMemoryPartition;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.testing.TableStores.Kind;
import io.lakestream.table.testing.TableStores.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TableMaintenance} on tables that {@link TopicTable} wrote, over a local object store:
 * small files become one without a row gained or lost, upserts stay one row per id, and the
 * Kafka offsets in the snapshot summaries survive both rewrites and snapshot expiry, so that
 * ingestion resumes where it was.
 */
class TableMaintenanceTest {
    private static final long INTERVAL_MS = 5_000;
    private static final TableIdentifier ID = TableIdentifier.of("lake", "events");
    /** Expire everything but the last snapshot; rewrite from 5 small files on. */
    private static final MaintenanceSettings EAGER = new MaintenanceSettings(Duration.ofHours(1), Duration.ZERO, 1, 5);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final String topicId = UUID.randomUUID().toString();

    private TableTopicSettings settings(Optional<UpsertMode> upsert) {
        return new TableTopicSettings("events", topicId, ID, Duration.ofMillis(INTERVAL_MS), TableFormat.JSON,
            Optional.empty(), List.of(), upsert);
    }

    /** A table topic writer leading {@code partition} as partition 0, maintenance not its business here. */
    private TopicTable writer(Catalog catalog, Optional<UpsertMode> upsert, InMemoryPartition partition) {
        TopicTable writer = new TopicTable(settings(upsert), catalog, clock::get, () -> { }, new SimpleMeterRegistry());
        writer.lead(0, partition);
        return writer;
    }

    /** Commits each batch of values in a snapshot of its own (one small file each). */
    private void commitEach(TopicTable table, InMemoryPartition partition, List<String[]> batches) {
        for (String[] values : batches) {
            partition.append(values);
            for (int i = 0; i < 1_000 && table.doWork() > 0; i++) {
                // read what is there
            }
            clock.addAndGet(INTERVAL_MS);
            table.doWork();
        }
    }

    private static String[] events(int from, int count) {
        String[] values = new String[count];
        for (int i = 0; i < count; i++) {
            values[i] = "{\"id\": " + (from + i) + ", \"v\": \"value " + (from + i) + "\"}";
        }
        return values;
    }

    private static TableMaintenance maintenance(Table table) {
        return new TableMaintenance(table, EAGER, System::currentTimeMillis);
    }

    private static Set<String> dataFiles(Table table) throws Exception {
        table.refresh();
        try (CloseableIterable<org.apache.iceberg.FileScanTask> tasks = table.newScan().planFiles()) {
            return java.util.stream.StreamSupport.stream(tasks.spliterator(), false)
                .map(task -> task.file()).map(DataFile::location).collect(Collectors.toSet());
        }
    }

    private static Set<String> kafkaPositions(Table table) throws Exception {
        return TopicTableTest.rows(table).stream()
            .map(row -> row.getField("_kafka_partition") + "/" + row.getField("_kafka_offset"))
            .collect(Collectors.toSet());
    }

    @Test
    void smallFilesBecomeOneAndTheOffsetsOutliveSnapshotExpiry() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, null)) {
            Catalog catalog = store.catalog("p/");
            InMemoryPartition partition = new InMemoryPartition();
            TopicTable writer = writer(catalog, Optional.empty(), partition);
            commitEach(writer, partition, List.of(events(0, 100), events(100, 100), events(200, 100),
                events(300, 100), events(400, 100), events(500, 100)));
            Table table = catalog.loadTable(ID);
            Set<String> positionsBefore = kafkaPositions(table);
            assertThat(positionsBefore).hasSize(600);
            assertThat(dataFiles(table)).as("data files before").hasSize(6);
            Map<Integer, Long> offsets = CommittedOffsets.of(table).offsets();

            TableMaintenance.Result result = maintenance(catalog.loadTable(ID)).run();

            assertThat(result.snapshotsExpired()).as("snapshots expired").isEqualTo(5);
            assertThat(result.filesRewritten()).as("files rewritten").isEqualTo(6);
            assertThat(result.filesWritten()).as("files written").isEqualTo(1);
            table.refresh();
            assertThat(dataFiles(table)).as("data files after").hasSize(1);
            assertThat(kafkaPositions(table)).isEqualTo(positionsBefore);
            assertThat(CommittedOffsets.of(table).offsets()).isEqualTo(offsets);

            // The rewrite's snapshot carries the offsets, so expiring its parent keeps them.
            assertThat(maintenance(catalog.loadTable(ID)).run()).isEqualTo(new TableMaintenance.Result(1, 0, 0, 0));
            table.refresh();
            assertThat(table.snapshots()).hasSize(1);
            assertThat(CommittedOffsets.of(table).offsets()).isEqualTo(Map.of(0, 600L));
            writer.close();

            // A writer starting now resumes at offset 600: nothing is written twice.
            TopicTable next = writer(catalog, Optional.empty(), partition);
            commitEach(next, partition, List.<String[]>of(events(600, 50)));
            assertThat(kafkaPositions(catalog.loadTable(ID))).hasSize(650);
            next.close();
        }
    }

    @Test
    void anUpsertTableKeepsOneRowPerIdThroughARewriteAndLaterUpserts() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, null)) {
            Catalog catalog = store.catalog("p/");
            InMemoryPartition partition = new InMemoryPartition();
            TopicTable writer = writer(catalog, Optional.of(new UpsertMode(List.of("id"), Optional.empty())), partition);
            // Ids 0-49 again and again: each commit's equality deletes replace the rows before.
            commitEach(writer, partition, List.of(events(0, 50), events(0, 50), events(25, 50), events(0, 50),
                events(40, 20), events(0, 10)));
            Table table = catalog.loadTable(ID);
            Map<String, Object> before = valuesById(table);
            assertThat(before).hasSize(75);

            TableMaintenance.Result result = maintenance(catalog.loadTable(ID)).rewriteSmallFiles();

            assertThat(result.filesRewritten()).as("files rewritten").isEqualTo(6);
            assertThat(valuesById(table)).isEqualTo(before);
            assertThat(TopicTableTest.rows(table)).as("one row per id").hasSize(75);

            // A later upsert of ids in the rewritten file still replaces their rows.
            commitEach(writer, partition, List.<String[]>of(new String[] {"{\"id\": 3, \"v\": \"after the rewrite\"}",
                "{\"id\": 70, \"v\": \"after the rewrite\"}"}));
            assertThat(TopicTableTest.rows(table)).as("one row per id").hasSize(75);
            assertThat(valuesById(table)).containsEntry("3", "after the rewrite").containsEntry("70", "after the rewrite");
            writer.close();
        }
    }

    @Test
    void expiryKeepsTheNewestSnapshotWithOffsetsWhenSomeoneElseCommittedAfterIt() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, null)) {
            Catalog catalog = store.catalog("p/");
            InMemoryPartition partition = new InMemoryPartition();
            TopicTable writer = writer(catalog, Optional.empty(), partition);
            commitEach(writer, partition, List.of(events(0, 10), events(10, 10)));
            writer.close();
            Table table = catalog.loadTable(ID);
            table.newAppend().set("written-by", "another engine").commit(); // a snapshot without offsets

            int expired = maintenance(catalog.loadTable(ID)).expireSnapshots();

            assertThat(expired).isEqualTo(1);
            table.refresh();
            assertThat(table.snapshots()).hasSize(2);
            assertThat(CommittedOffsets.of(table).offsets()).isEqualTo(Map.of(0, 20L));
        }
    }

    /** Each row's v by its id, as text; fails on two rows of one id. */
    private static Map<String, Object> valuesById(Table table) throws Exception {
        return TopicTableTest.rows(table).stream().collect(Collectors.toMap(row -> String.valueOf(row.getField("id")),
            row -> row.getField("v")));
    }
}
