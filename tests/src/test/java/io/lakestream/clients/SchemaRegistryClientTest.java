package io.lakestream.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.clients.ClientProcess.Output;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Confluent-compatible client, kafkajs with {@code @kafkajs/confluent-schema-registry}
 * (pinned in {@code clients/schema-registry/package-lock.json}, installed with {@code npm ci}),
 * registers a schema in the broker's schema registry and produces values encoded with it to a
 * table topic of the matching format; the topic's Iceberg table, read with Iceberg's generic
 * reader from the object store, then has the schema's fields as typed columns with the values
 * sent.
 */
class SchemaRegistryClientTest {
    private static final Path CLIENT_DIR = Path.of("target", "schema-registry-client").toAbsolutePath();
    private static final int COUNT = 20;

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private LocalDirectoryObjectStorage objects;

    @BeforeAll
    static void installClient() throws Exception {
        ClientProcess.npmCi(CLIENT_DIR, "/clients/schema-registry", List.of("package.json", "package-lock.json",
            "schema_registry_client.js"));
    }

    @AfterEach
    void stop() throws Exception {
        if (objects != null) {
            objects.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"avro", "protobuf"})
    void valuesProducedWithTheRegistrysSchemaBecomeTypedTableColumns(String format) throws Exception {
        int registryPort = LakestreamProcess.freePort();
        Path data = dir.resolve("data");
        server = LakestreamProcess.start(data, 0, 0, "schema.registry.port=" + registryPort);
        String topic = "orders-" + format;
        server.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of(
            "lakestream.table.enable", "true", "lakestream.table.format", format,
            "lakestream.table.commit.interval.ms", "1000")))).all().get(60, TimeUnit.SECONDS);

        Output client = ClientProcess.run(CLIENT_DIR, null, Duration.ofSeconds(90), List.of("node",
            "schema_registry_client.js", server.bootstrap(), "http://127.0.0.1:" + registryPort, format, topic,
            String.valueOf(COUNT)));
        assertThat(client.exitCode()).as(() -> client.describe() + server.outputForFailure()).isZero();
        assertThat(client.lines()).hasSize(3);
        assertThat(client.lines().get(0)).matches("registered \\d+");
        assertThat(client.lines().get(1)).isEqualTo("sent " + COUNT);
        assertThat(client.lines().get(2)).as("the client decodes with the schema it reads back by id")
            .contains("\"customer\":\"c0\"");

        objects = new LocalDirectoryObjectStorage(data.resolve("objects"));
        ObjectStoreCatalog catalog = new ObjectStoreCatalog("lakestream", objects, new ObjectStoreFileIO(objects,
            new ObjectLocations(data.resolve("objects").toUri().toString()), dir.resolve("spill")),
            "iceberg/catalog/", "iceberg/warehouse/");
        TableIdentifier id = TableIdentifier.of("default", topic.replace('-', '_'));
        List<Record> rows = new ArrayList<>();
        await("rows in " + id).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
            .ignoreExceptions().untilAsserted(() -> {
                rows.clear();
                rows.addAll(read(catalog.loadTable(id)));
                assertThat(rows).hasSize(COUNT);
            });

        Table table = catalog.loadTable(id);
        assertThat(table.schema().findField("id").type()).isEqualTo(Types.LongType.get());
        assertThat(table.schema().findField("customer").type()).isEqualTo(Types.StringType.get());
        assertThat(table.schema().findField("amount").type()).isEqualTo(Types.DoubleType.get());
        assertThat(table.schema().findField("paid").type()).isEqualTo(Types.BooleanType.get());
        assertThat(table.schema().findField("tags").type().asListType().elementType()).isEqualTo(Types.StringType.get());
        rows.sort(Comparator.comparingLong(row -> (Long) row.getField("_kafka_offset")));
        for (int i = 0; i < COUNT; i++) {
            Record row = rows.get(i);
            assertThat(row.getField("_kafka_offset")).isEqualTo((long) i);
            assertThat(StandardCharsets.UTF_8.decode((ByteBuffer) row.getField("_kafka_key")).toString())
                .isEqualTo("k" + i);
            assertThat(row.getField("id")).as("row %d", i).isEqualTo((long) i);
            assertThat(row.getField("customer")).isEqualTo("c" + i);
            assertThat(row.getField("amount")).isEqualTo(i + 0.5);
            assertThat(row.getField("paid")).isEqualTo(i % 2 == 0);
            assertThat(row.getField("tags")).isEqualTo(List.of("t" + i, "x"));
        }
        if (format.equals("avro")) {
            assertThat(rows.get(0).getField("note")).isEqualTo("first");
            assertThat(rows.get(1).getField("note")).isNull();
        }
    }

    private static List<Record> read(Table table) throws Exception {
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            records.forEach(rows::add);
        }
        return rows;
    }
}
