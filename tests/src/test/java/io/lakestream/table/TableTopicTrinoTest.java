package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakestream.broker.LakestreamProcess;
import io.lakestream.stream.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table topic end to end, with nothing but real parts: the Lakestream server process on an
 * S3 server (s3proxy), Kafka's Java producer, and a real Trino that reads the table through
 * Lakestream's own Iceberg REST catalog endpoint and the same S3 server. 100,000 JSON records
 * over 8 partitions must be in the table exactly once; then the broker is killed with SIGKILL
 * while a producer is writing 100,000 more and restarted on the same data, and the table must
 * still hold every record of the topic exactly once.
 */
class TableTopicTrinoTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 8;
    private static final int RECORDS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private TrinoServer trino;

    @AfterEach
    void stop() throws Exception {
        if (trino != null) {
            trino.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void trinoSeesEveryRecordExactlyOnceAlsoAfterTheBrokerIsKilledWhileProducing() throws Exception {
        Path data = dir.resolve("data");
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        int restPort = LakestreamProcess.freePort();
        String[] overrides = {
            "object.store.type=s3", "s3.endpoint=" + S3.endpoint(), "s3.bucket=" + S3ProxyServer.BUCKET,
            "s3.region=" + S3ProxyServer.REGION, "s3.path.style.access=true",
            "s3.access.key=" + S3ProxyServer.ACCESS_KEY, "s3.secret.key=" + S3ProxyServer.SECRET_KEY,
            "table.catalog.rest.port=" + restPort};
        server = LakestreamProcess.start(data, port, controllerPort, overrides);
        server.admin().createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1).configs(Map.of(
            "lakestream.table.enable", "true", "lakestream.table.commit.interval.ms", "2000",
            "lakestream.table.partition.by", "day(_kafka_timestamp),bucket(4,id)")))).all()
            .get(60, TimeUnit.SECONDS);
        trino = TrinoServer.start(dir.resolve("trino"), Map.of(
            "connector.name", "iceberg",
            "iceberg.catalog.type", "rest",
            "iceberg.rest-catalog.uri", "http://127.0.0.1:" + restPort,
            "fs.native-s3.enabled", "true",
            "s3.endpoint", S3.endpoint().toString(),
            "s3.region", S3ProxyServer.REGION,
            "s3.path-style-access", "true",
            "s3.aws-access-key", S3ProxyServer.ACCESS_KEY,
            "s3.aws-secret-key", S3ProxyServer.SECRET_KEY));

        Set<Long> acked = ConcurrentHashMap.newKeySet();
        try (KafkaProducer<byte[], byte[]> producer = server.producer(producerSettings())) {
            for (long id = 0; id < RECORDS; id++) {
                long sent = id;
                producer.send(record(id), (metadata, error) -> {
                    if (error == null) {
                        acked.add(sent);
                    }
                });
            }
            producer.flush();
        }
        assertThat(acked).as("records acknowledged").hasSize(RECORDS);
        long producedAt = System.nanoTime();
        awaitTableHolds(RECORDS);
        long visibleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - producedAt);
        assertThat(trino.queryLong("SELECT count(DISTINCT id) FROM lake.default.orders"))
            .as("distinct ids in the table").isEqualTo(RECORDS);
        assertThat(trino.queryLong("SELECT count(DISTINCT _kafka_partition) FROM lake.default.orders"))
            .isEqualTo(PARTITIONS);

        repeatedKeysLeaveOneRowPerKey();

        // Produce 100,000 more at about 5,000 a second and kill the broker in the middle.
        List<Throwable> sendErrors = new CopyOnWriteArrayList<>();
        int ackedAtKill = -1;
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread producing = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = server.producer(producerSettings())) {
                for (long id = RECORDS; id < 2L * RECORDS && sending.get(); id++) {
                    long sent = id;
                    producer.send(record(id), (metadata, error) -> {
                        if (error == null) {
                            acked.add(sent);
                        } else {
                            sendErrors.add(error);
                        }
                    });
                    if (id % 500 == 0) {
                        Thread.sleep(100);
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "table-topic-producer");
        producing.start();
        try {
            await("30,000 of the second 100,000 records acknowledged").atMost(Duration.ofSeconds(120))
                .until(() -> acked.size() >= RECORDS + 30_000);
            server.kill();
            ackedAtKill = acked.size() - RECORDS;
            server = LakestreamProcess.start(data, port, controllerPort, overrides);
            producing.join(TimeUnit.MINUTES.toMillis(5));
        } finally {
            sending.set(false);
            producing.join(TimeUnit.MINUTES.toMillis(1));
        }
        assertThat(sendErrors).as("send errors").isEmpty();
        assertThat(acked).as("records acknowledged").hasSize(2 * RECORDS);

        long inTopic = recordsInTopic();
        assertThat(inTopic).as("records in the topic (no duplicates from the producer)").isEqualTo(2L * RECORDS);
        awaitTableHolds(inTopic);
        assertThat(trino.queryLong("SELECT count(DISTINCT id) FROM lake.default.orders"))
            .as("distinct ids in the table after the kill").isEqualTo(2L * RECORDS);
        assertThat(trino.queryLong("SELECT count(*) FROM (SELECT DISTINCT _kafka_partition, _kafka_offset "
            + "FROM lake.default.orders)")).as("distinct (partition, offset) in the table").isEqualTo(inTopic);
        JsonNode offsets = JSON.readTree(trino.query("SELECT summary['lakestream.kafka.offsets'] FROM "
            + "lake.default.\"orders$snapshots\" ORDER BY committed_at DESC LIMIT 1").get(0).get(0));
        long committed = 0;
        for (JsonNode offset : offsets) {
            committed += offset.asLong();
        }
        assertThat(committed).as("offsets in the last snapshot's summary: " + offsets).isEqualTo(inTopic);
        assertThat(trino.query("SELECT count(*) FROM lake.default.\"orders$partitions\"").get(0).get(0))
            .as("partitions of the table (a day and 4 buckets)").isIn("4", "5", "8");
        await("the broker's table meters show no commit lag").atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(scrape()).containsPattern(
                "lakestream_table_commit_lag_records\\{table=\"default.orders\",topic=\"orders\"} 0\\.0")
                .containsPattern("lakestream_table_rows_total\\{table=\"default.orders\",topic=\"orders\"} [1-9]"));
        List<String> resumed = server.output().lines().filter(line -> line.contains("is written to table")
            && line.contains("from offset") && !line.endsWith("from offset 0")).toList();
        assertThat(resumed).as("partitions resumed from the table's offsets after the restart").isNotEmpty();
        System.out.printf("TableTopicTrinoTest: first %d rows visible in Trino %d ms after the last ack; %d of the "
            + "second %d acked at the kill; %d snapshots; resumed: %s%n", RECORDS, visibleMillis, ackedAtKill, RECORDS,
            trino.queryLong("SELECT count(*) FROM lake.default.\"orders$snapshots\""), resumed.size());
    }

    /** An upsert table topic: 3 versions of 1,000 customers leave 1,000 rows, each the last version. */
    private void repeatedKeysLeaveOneRowPerKey() throws Exception {
        server.admin().createTopics(List.of(new NewTopic("customers", 4, (short) 1).configs(Map.of(
            "lakestream.table.enable", "true", "lakestream.table.commit.interval.ms", "1000",
            "lakestream.table.id.columns", "id")))).all().get(60, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = server.producer(producerSettings())) {
            for (int version = 1; version <= 3; version++) {
                for (int id = 0; id < 1_000; id++) {
                    producer.send(new ProducerRecord<>("customers", ("c" + id).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\": " + id + ", \"version\": " + version + "}").getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush(); // versions in separate batches, often in separate commits
            }
        }
        Object[] last = {null};
        try {
            await("one row per customer, each the last version").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    try {
                        List<String> counts = trino.query("SELECT count(*), count(DISTINCT id), min(version) "
                            + "FROM lake.default.customers").get(0);
                        last[0] = counts;
                        return counts.equals(List.of("1000", "1000", "3"));
                    } catch (java.sql.SQLException e) {
                        last[0] = e;
                        return false;
                    }
                });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Trino's last answer on customers: " + last[0] + server.outputForFailure(), e);
        }
    }

    /** Waits until Trino counts {@code expected} rows; fails with what it counted and the server's log. */
    private void awaitTableHolds(long expected) {
        long[] counted = {-1};
        try {
            await("the table holds " + expected + " rows").atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> {
                    counted[0] = trino.queryLong("SELECT count(*) FROM lake.default.orders");
                    assertThat(counted[0]).as("rows in the table").isLessThanOrEqualTo(expected);
                    return counted[0] == expected;
                });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Trino counted " + counted[0] + " rows, expected " + expected
                + server.outputForFailure(), e);
        }
    }

    private String scrape() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(server.metricsUrl()).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private long recordsInTopic() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        long total = 0;
        for (var info : server.admin().listOffsets(latest).all().get(60, TimeUnit.SECONDS).values()) {
            total += info.offset();
        }
        return total;
    }

    private static Map<String, Object> producerSettings() {
        return Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    }

    private static ProducerRecord<byte[], byte[]> record(long id) {
        String value = "{\"id\": " + id + ", \"customer\": \"c-" + (id % 977) + "\", \"amount\": " + (id % 1000) / 10.0
            + ", \"items\": [{\"sku\": \"s" + (id % 13) + "\", \"qty\": " + (1 + id % 4) + "}]}";
        return new ProducerRecord<>(TOPIC, ("k" + id).getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8));
    }
}
