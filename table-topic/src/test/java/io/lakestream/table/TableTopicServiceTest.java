package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.testing.InMemoryPartition;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.testing.TableStores.Kind;
import io.lakestream.table.testing.TableStores.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The service's own thread: led partitions in, commits out, and a last commit on close. */
class TableTopicServiceTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();
    private static final TableIdentifier ORDERS = TableIdentifier.of("lake", "orders");

    @TempDir
    Path dir;

    private static TableTopicSettings settings(Duration interval) {
        return new TableTopicSettings("orders", "topic-id", ORDERS, interval, TableFormat.JSON, Optional.empty());
    }

    private static void append(InMemoryPartition partition, int from, int count) {
        for (int i = from; i < from + count; i++) {
            partition.append("{\"id\": " + i + "}");
        }
    }

    @Test
    void newRecordsOfLedPartitionsReachTheTableOnEveryInterval() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            ObjectStoreCatalog catalog = store.catalog("s-" + UUID.randomUUID() + "/");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            TableTopicService service = new TableTopicService(catalog, registry, System::currentTimeMillis);
            InMemoryPartition p0 = new InMemoryPartition();
            InMemoryPartition p1 = new InMemoryPartition();
            append(p0, 0, 100);
            service.start();
            try {
                service.update(List.of(new LedPartition(settings(Duration.ofSeconds(1)), 0, p0),
                    new LedPartition(settings(Duration.ofSeconds(1)), 1, p1)));
                await().atMost(Duration.ofSeconds(60)).until(() -> rows(catalog) == 100);
                append(p1, 100, 50);
                append(p0, 150, 50);
                await().atMost(Duration.ofSeconds(60)).until(() -> rows(catalog) == 200);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(service.status()).singleElement().satisfies(status -> {
                        assertThat(status.lag()).isZero();
                        assertThat(status.committedOffsets()).containsEntry(0, 150L).containsEntry(1, 50L);
                    }));
                assertThat(registry.get(TableMetrics.ROWS).counter().count()).isEqualTo(200);
            } finally {
                service.close();
            }
        }
    }

    @Test
    void closeCommitsWhatTheWorkersHaveWritten() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            ObjectStoreCatalog catalog = store.catalog("s-" + UUID.randomUUID() + "/");
            TableTopicService service = new TableTopicService(catalog, new SimpleMeterRegistry(),
                System::currentTimeMillis);
            InMemoryPartition partition = new InMemoryPartition();
            append(partition, 0, 300);
            service.start();
            service.update(List.of(new LedPartition(settings(Duration.ofHours(1)), 0, partition)));
            await().atMost(Duration.ofSeconds(60)).until(() -> partition.readUpTo() == 300);

            service.close();

            assertThat(rows(catalog)).isEqualTo(300);
        }
    }

    @Test
    void writersOverTheMemoryBudgetCloseTheirFilesEarlyAndLoseNothing() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            ObjectStoreCatalog catalog = store.catalog("s-" + UUID.randomUUID() + "/");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // 16 KiB for all writers: each chunk of 300 records of about 100 bytes exceeds it.
            TableTopicService service = new TableTopicService(catalog, SchemaLookup.NONE, 16 << 10, registry,
                System::currentTimeMillis);
            InMemoryPartition p0 = new InMemoryPartition();
            InMemoryPartition p1 = new InMemoryPartition();
            appendPadded(p0, 0, 300);
            appendPadded(p1, 1_000, 300);
            service.start();
            try {
                service.update(List.of(new LedPartition(settings(Duration.ofHours(1)), 0, p0),
                    new LedPartition(settings(Duration.ofHours(1)), 1, p1)));
                await().atMost(Duration.ofSeconds(60)).until(() -> p0.readUpTo() == 300 && p1.readUpTo() == 300);
                // A second chunk of each: the files of the first were closed, so these go to new ones.
                appendPadded(p0, 300, 300);
                appendPadded(p1, 1_300, 300);
                await().atMost(Duration.ofSeconds(60)).until(() -> p0.readUpTo() == 600 && p1.readUpTo() == 600);
            } finally {
                service.close();
            }
            assertThat(registry.get("lakestream.table.writer.memory.releases").counter().count())
                .as("files closed early").isPositive();
            var table = catalog.loadTable(ORDERS);
            assertThat(rows(catalog)).isEqualTo(1_200);
            // At least one file per chunk read (a chunk read while the second round was appended splits).
            assertThat(Long.parseLong(table.currentSnapshot().summary().get("total-data-files")))
                .as("data files: without the budget, one per partition").isGreaterThanOrEqualTo(4);
            assertThat(TopicTableTest.rows(table).stream().map(row -> row.getField("id")).distinct().count())
                .isEqualTo(1_200);
        }
    }

    private static void appendPadded(InMemoryPartition partition, int from, int count) {
        for (int i = from; i < from + count; i++) {
            partition.append("{\"id\": " + i + ", \"pad\": \"" + "p".repeat(80) + "\"}");
        }
    }

    private static long rows(ObjectStoreCatalog catalog) {
        if (!catalog.tableExists(ORDERS)) {
            return 0;
        }
        var snapshot = catalog.loadTable(ORDERS).currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    }
}
