package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table topics on a real server process and the local object store, seen through the table
 * files themselves and {@code bin/lakestream-tables.sh}: a new field becomes a column, records
 * that do not convert go to the dead-letter table (errors.tolerance=all) or stop the partition's
 * table writes with the reason shown (none), while consumers of the topic read every record.
 */
class TableTopicErrorsTest {
    private static final Path HOME = Path.of(System.getProperty("lakestream.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private LocalDirectoryObjectStorage objects;
    private int restPort;

    @AfterEach
    void stop() throws Exception {
        if (objects != null) {
            objects.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterTableOrStopThePartitionAndTheToolSaysWhy() throws Exception {
        restPort = LakestreamProcess.freePort();
        Path data = dir.resolve("data");
        server = LakestreamProcess.start(data, 0, 0, "table.catalog.rest.port=" + restPort);
        server.admin().createTopics(List.of(
            new NewTopic("events", 1, (short) 1).configs(Map.of("lakestream.table.enable", "true",
                "lakestream.table.commit.interval.ms", "1000", "lakestream.table.errors.tolerance", "all")),
            new NewTopic("strict", 1, (short) 1).configs(Map.of("lakestream.table.enable", "true",
                "lakestream.table.commit.interval.ms", "1000")))).all().get(60, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of())) {
            for (String value : List.of("{\"id\": 1}", "{\"id\": 2, \"color\": \"red\"}", "not json", "{\"id\": \"x\"}")) {
                producer.send(new ProducerRecord<>("events", value.getBytes(StandardCharsets.UTF_8))).get();
            }
            for (String value : List.of("{\"id\": 1}", "{\"id\": [1]}", "{\"id\": 3}")) {
                producer.send(new ProducerRecord<>("strict", value.getBytes(StandardCharsets.UTF_8))).get();
            }
        }

        objects = new LocalDirectoryObjectStorage(data.resolve("objects"));
        ObjectStoreCatalog catalog = new ObjectStoreCatalog("lakestream", objects, new ObjectStoreFileIO(objects,
            new ObjectLocations(data.resolve("objects").toUri().toString()), dir.resolve("spill")),
            "iceberg/catalog/", "iceberg/warehouse/");
        TableIdentifier events = TableIdentifier.of("default", "events");
        TableIdentifier deadLetters = TableIdentifier.of("default", "events_dlq");
        TableIdentifier strict = TableIdentifier.of("default", "strict");
        await("rows in the tables").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
            .ignoreExceptions().untilAsserted(() -> {
                assertThat(rows(catalog, events)).isEqualTo(2);
                assertThat(rows(catalog, deadLetters)).isEqualTo(2);
                assertThat(rows(catalog, strict)).isEqualTo(1);
            });
        assertThat(catalog.loadTable(events).schema().findField("color").type()).isEqualTo(Types.StringType.get());
        assertThat(consumeAll("strict")).as("consumers of a stopped table topic read every record").hasSize(3);

        String list = tool("list");
        assertThat(list).contains("events", "default.events", "strict", "stopped: partitions [0]");
        String described = tool("describe", "strict");
        assertThat(described).contains("Offset 1 of partition 0 does not convert", "Field id is int", "_kafka_offset");
        String eventsDescribed = tool("describe", "events");
        System.out.println("lakestream-tables.sh list:\n" + list + "\nlakestream-tables.sh describe strict:\n"
            + described);
        assertThat(eventsDescribed).contains("default.events_dlq, 2 rows", "color string");
    }

    private static long rows(ObjectStoreCatalog catalog, TableIdentifier id) {
        Snapshot snapshot = catalog.loadTable(id).currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().get("total-records"));
    }

    private List<String> consumeAll(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < 3 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    /** Runs bin/lakestream-tables.sh against this server; fails with its output unless it exits 0. */
    private String tool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/lakestream-tables.sh").toString(),
            "--bootstrap-server", server.bootstrap(), "--catalog", "http://127.0.0.1:" + restPort));
        command.addAll(List.of(args));
        Path output = dir.resolve("tool.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("lakestream-tables.sh finished").isTrue();
        String text = Files.readString(output);
        assertThat(process.exitValue()).as("exit status of lakestream-tables.sh %s:%n%s", List.of(args), text)
            .isZero();
        return text;
    }
}
