package io.lakestream.table.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.testing.TableStores.Kind;
import io.lakestream.table.testing.TableStores.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ObjectStoreCatalogTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();

    private static final Schema SCHEMA = new Schema(
        Types.NestedField.optional(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "name", Types.StringType.get()));

    @TempDir
    Path dir;

    private String prefix() {
        return "t-" + UUID.randomUUID() + "/";
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void committedRowsReadBackThroughAnotherCatalogInstance(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = prefix();
            ObjectStoreCatalog writer = store.catalog(prefix);
            writer.createNamespace(Namespace.of("lake"), Map.of("owner", "tests"));
            TableIdentifier id = TableIdentifier.of("lake", "orders");
            Table table = writer.createTable(id, SCHEMA, PartitionSpec.unpartitioned());
            append(table, 0, 1000);
            append(table, 1000, 500);

            ObjectStoreCatalog reader = store.catalog(prefix);
            assertThat(reader.listNamespaces()).containsExactly(Namespace.of("lake"));
            assertThat(reader.loadNamespaceMetadata(Namespace.of("lake"))).containsEntry("owner", "tests");
            assertThat(reader.listTables(Namespace.of("lake"))).containsExactly(id);
            assertThat(ids(reader.loadTable(id))).as("ids read back").hasSize(1500)
                .containsExactlyInAnyOrderElementsOf(range(0, 1500));
            assertThat(table.location()).startsWith(store.locations().root() + prefix + "warehouse/lake/orders-");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void ofTwoCommitsOnTheSameVersionOnlyOneWins(Kind kind) throws IOException {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = prefix();
            ObjectStoreCatalog a = store.catalog(prefix);
            a.createNamespace(Namespace.of("lake"));
            TableIdentifier id = TableIdentifier.of("lake", "t");
            a.createTable(id, SCHEMA);
            TableOperations first = ((HasTableOperations) a.loadTable(id)).operations();
            TableOperations second = ((HasTableOperations) store.catalog(prefix).loadTable(id)).operations();
            TableMetadata firstBase = first.current();
            TableMetadata secondBase = second.current();

            first.commit(firstBase, TableMetadata.buildFrom(firstBase).setProperties(Map.of("writer", "first")).build());
            assertThatThrownBy(() -> second.commit(secondBase,
                TableMetadata.buildFrom(secondBase).setProperties(Map.of("writer", "second")).build()))
                .isInstanceOf(CommitFailedException.class);

            TableMetadata refreshed = second.refresh();
            assertThat(refreshed.properties()).containsEntry("writer", "first");
            second.commit(refreshed, TableMetadata.buildFrom(refreshed).setProperties(Map.of("writer", "second")).build());
            assertThat(store.catalog(prefix).loadTable(id).properties()).containsEntry("writer", "second");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentAppendsWithIcebergsRetryKeepEveryFile(Kind kind) throws Exception {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = prefix();
            ObjectStoreCatalog catalog = store.catalog(prefix);
            catalog.createNamespace(Namespace.of("lake"));
            TableIdentifier id = TableIdentifier.of("lake", "t");
            // Enough retries that no writer loses every race on a loaded machine: what is checked is
            // that each retry lands on the latest version and no file is lost, not the retry budget.
            catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(),
                Map.of(TableProperties.COMMIT_NUM_RETRIES, "20"));
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < 3; t++) {
                int writer = t;
                threads.add(new Thread(() -> {
                    try {
                        Table table = store.catalog(prefix).loadTable(id);
                        for (int i = 0; i < 4; i++) {
                            append(table, writer * 1000 + i * 10, 10);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(120_000);
            }
            assertThat(failures).isEmpty();
            Table table = catalog.loadTable(id);
            assertThat(ids(table)).hasSize(120);
            assertThat(table.snapshots()).hasSize(12);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void namespacesAndTablesCanBeCreatedOnceAndDroppedWhenEmpty(Kind kind) {
        try (Store store = TableStores.open(kind, dir, S3)) {
            ObjectStoreCatalog catalog = store.catalog(prefix());
            Namespace lake = Namespace.of("lake");
            catalog.createNamespace(lake);
            catalog.createNamespace(Namespace.of("lake", "raw.events"));
            assertThatThrownBy(() -> catalog.createNamespace(lake)).isInstanceOf(AlreadyExistsException.class);
            assertThat(catalog.listNamespaces(lake)).containsExactly(Namespace.of("lake", "raw.events"));
            assertThatThrownBy(() -> catalog.listTables(Namespace.of("nope")))
                .isInstanceOf(NoSuchNamespaceException.class);

            TableIdentifier id = TableIdentifier.of(Namespace.of("lake", "raw.events"), "clicks.v1");
            catalog.createTable(id, SCHEMA);
            assertThatThrownBy(() -> catalog.createTable(id, SCHEMA)).isInstanceOf(AlreadyExistsException.class);
            assertThat(catalog.listTables(Namespace.of("lake", "raw.events"))).containsExactly(id);
            assertThatThrownBy(() -> catalog.dropNamespace(Namespace.of("lake", "raw.events")))
                .isInstanceOf(NamespaceNotEmptyException.class);

            TableIdentifier renamed = TableIdentifier.of(lake, "clicks");
            catalog.renameTable(id, renamed);
            assertThat(catalog.tableExists(id)).isFalse();
            assertThat(catalog.loadTable(renamed).schema().asStruct()).isEqualTo(SCHEMA.asStruct());

            assertThat(catalog.dropTable(renamed, true)).isTrue();
            assertThat(catalog.dropTable(renamed, true)).isFalse();
            assertThat(catalog.dropNamespace(Namespace.of("lake", "raw.events"))).isTrue();
            assertThat(catalog.dropNamespace(lake)).isTrue();
            assertThat(catalog.listNamespaces()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oldMetadataVersionsAreDeletedAsNewOnesAreCommitted(Kind kind) {
        try (Store store = TableStores.open(kind, dir, S3)) {
            String prefix = prefix();
            ObjectStoreCatalog catalog = store.catalog(prefix);
            catalog.createNamespace(Namespace.of("lake"));
            Table table = catalog.createTable(TableIdentifier.of("lake", "t"), SCHEMA);
            for (int i = 0; i < 30; i++) {
                table.updateProperties().set("round", String.valueOf(i)).commit();
            }
            long versions = store.storage().list(prefix + "catalog/tables/").join().size();
            assertThat(versions).as("metadata versions kept").isBetween(20L, 22L);
            assertThat(store.catalog(prefix).loadTable(TableIdentifier.of("lake", "t")).properties())
                .containsEntry("round", "29");
        }
    }

    static void append(Table table, long firstId, int count) throws IOException {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET).dataSchema(table.schema()).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, firstId).format(FileFormat.PARQUET).build();
        DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(), PartitionSpec.unpartitioned(), null);
        try (writer) {
            for (long id = firstId; id < firstId + count; id++) {
                GenericRecord record = GenericRecord.create(table.schema());
                record.setField("id", id);
                record.setField("name", "row " + id);
                writer.write(record);
            }
        }
        DataFile file = writer.toDataFile();
        table.newFastAppend().appendFile(file).commit();
    }

    static List<Long> ids(Table table) throws IOException {
        List<Long> ids = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            rows.forEach(row -> ids.add((Long) row.getField("id")));
        }
        return ids;
    }

    static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i < to; i++) {
            ids.add(i);
        }
        return ids;
    }
}
