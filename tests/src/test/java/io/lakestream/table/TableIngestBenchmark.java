package io.lakestream.table;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.stream.testing.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.inmemory.InMemoryFileIO;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.utils.Utils;

/**
 * The table topic ingest benchmark (issue 7), run by {@code benchmarks/table-ingest.sh}: a real
 * Lakestream on an S3 server (s3proxy), a real Trino on Lakestream's Iceberg REST catalog.
 *
 * <ol>
 *   <li>Ingest: {@code RECORDS} JSON records of 1 KiB are produced to a plain 8-partition
 *       topic; then {@code lakestream.table.enable=true} is set on it and the time until the
 *       table's snapshots hold every row gives rows/s and MB/s of a backfill, with no produce
 *       load competing. The rows committed are read from the snapshot summaries through the
 *       REST catalog, as any Iceberg client would: Trino planning a count every half second
 *       took about half a core of the two here, away from the writers. Trino then counts the
 *       rows and distinct ids once, which must both equal the records produced.
 *       {@code BACKFILLS} topics (2 by default) are produced and backfilled one after the
 *       other: the first runs on a fresh broker, whose JIT compilers take about a third of its
 *       CPU while they compile the write path; the next ones show the rate of a broker that
 *       has run for a while.</li>
 *   <li>Freshness: with a background load of {@code BACKGROUND_RATE} records/s on each, a
 *       table topic with a 1 s commit interval and one with the default (60 s) each get marker
 *       records; the time from sending a marker until a Trino query finds it is sampled.</li>
 * </ol>
 * A program, not a test: it asserts nothing and takes minutes; it prints its figures.
 */
public final class TableIngestBenchmark {
    private static final int PARTITIONS = 8;
    private static final int RECORD_BYTES = 1024;
    private static final String FILLER = "x".repeat(RECORD_BYTES);

    private final LakestreamProcess server;
    private final TrinoServer trino;
    private final RESTCatalog catalog;

    private TableIngestBenchmark(LakestreamProcess server, TrinoServer trino, RESTCatalog catalog) {
        this.server = server;
        this.trino = trino;
        this.catalog = catalog;
    }

    public static void main(String[] args) throws Exception {
        long records = Long.parseLong(env("RECORDS", "500000"));
        int backfills = Integer.parseInt(env("BACKFILLS", "2"));
        int samples1s = Integer.parseInt(env("FRESHNESS_SAMPLES_1S", "10"));
        int samplesDefault = Integer.parseInt(env("FRESHNESS_SAMPLES_DEFAULT", "3"));
        int backgroundRate = Integer.parseInt(env("BACKGROUND_RATE", "1000"));
        Path dir = Files.createTempDirectory("lakestream-table-bench");
        try (S3ProxyServer s3 = S3ProxyServer.start()) {
            int restPort = LakestreamProcess.freePort();
            try (LakestreamProcess server = LakestreamProcess.start(dir.resolve("data"), 0, 0,
                     "object.store.type=s3", "s3.endpoint=" + s3.endpoint(), "s3.bucket=" + S3ProxyServer.BUCKET,
                     "s3.region=" + S3ProxyServer.REGION, "s3.path.style.access=true",
                     "s3.access.key=" + S3ProxyServer.ACCESS_KEY, "s3.secret.key=" + S3ProxyServer.SECRET_KEY,
                     "table.catalog.rest.port=" + restPort);
                 TrinoServer trino = TrinoServer.start(dir.resolve("trino"), Map.of(
                     "connector.name", "iceberg", "iceberg.catalog.type", "rest",
                     "iceberg.rest-catalog.uri", "http://127.0.0.1:" + restPort,
                     "fs.native-s3.enabled", "true", "s3.endpoint", s3.endpoint().toString(),
                     "s3.region", S3ProxyServer.REGION, "s3.path-style-access", "true",
                     "s3.aws-access-key", S3ProxyServer.ACCESS_KEY, "s3.aws-secret-key", S3ProxyServer.SECRET_KEY))) {
                RESTCatalog catalog = new RESTCatalog();
                // Only snapshot summaries are read, which come with the table's metadata.
                catalog.initialize("bench", Map.of(CatalogProperties.URI, "http://127.0.0.1:" + restPort,
                    CatalogProperties.FILE_IO_IMPL, InMemoryFileIO.class.getName()));
                TableIngestBenchmark bench = new TableIngestBenchmark(server, trino, catalog);
                try (catalog) {
                    List<String> ingests = new ArrayList<>();
                    for (int i = 1; i <= backfills; i++) {
                        ingests.add(bench.ingest(i == 1 ? "ingest" : "ingest_" + i, records,
                            i == 1 ? "backfill 1 (fresh broker)" : "backfill " + i));
                    }
                    // 0 samples skips a freshness part: quick ingest-only runs.
                    String fresh1s = samples1s == 0 ? null
                        : bench.freshness("fresh_1s", 1_000, samples1s, backgroundRate);
                    String freshDefault = samplesDefault == 0 ? null
                        : bench.freshness("fresh_default", 60_000, samplesDefault, backgroundRate);
                    System.out.println();
                    ingests.forEach(ingest -> System.out.println("RESULT " + ingest));
                    if (fresh1s != null) {
                        System.out.println("RESULT " + fresh1s);
                    }
                    if (freshDefault != null) {
                        System.out.println("RESULT " + freshDefault);
                    }
                } catch (Exception | Error e) {
                    System.err.println("The benchmark failed; the server's log:" + server.outputForFailure());
                    throw e;
                }
            }
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    private static String env(String name, String defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    /** A JSON object of {@value #RECORD_BYTES} bytes with the given id. */
    private static byte[] event(long id) {
        String head = "{\"id\": " + id + ", \"user\": \"user-" + (id % 10_000) + "\", \"event\": \"click\", \"ts\": "
            + System.currentTimeMillis() + ", \"payload\": \"";
        String json = head + FILLER.substring(0, RECORD_BYTES - head.length() - 2) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return server.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
            ProducerConfig.ACKS_CONFIG, "all"));
    }

    private void createTopic(String topic, Map<String, String> configs) throws Exception {
        server.admin().createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(configs))).all()
            .get(60, TimeUnit.SECONDS);
    }

    private String ingest(String topic, long records, String label) throws Exception {
        System.out.println(label + ", topic " + topic + ":");
        createTopic(topic, Map.of());
        long produceStart = System.nanoTime();
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long id = 0; id < records; id++) {
                producer.send(new ProducerRecord<>(topic, event(id)), (metadata, error) -> {
                    if (error != null) {
                        failed.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("Producing failed", failed.get());
        }
        double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
        System.out.printf("produced %d records in %.1f s (%.0f records/s)%n", records, produceSeconds,
            records / produceSeconds);

        long start = System.nanoTime();
        server.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
            new AlterConfigOp(new ConfigEntry("lakestream.table.enable", "true"), AlterConfigOp.OpType.SET),
            new AlterConfigOp(new ConfigEntry("lakestream.table.commit.interval.ms", "1000"),
                AlterConfigOp.OpType.SET)))).all().get(60, TimeUnit.SECONDS);
        long rows = 0;
        long firstRows = 0;
        long firstSeen = 0;
        long deadline = start + TimeUnit.MINUTES.toNanos(30);
        long printed = 0;
        while (rows < records && System.nanoTime() < deadline) {
            Thread.sleep(250);
            rows = committedRows(TableIdentifier.of("default", topic));
            if (firstRows == 0 && rows > 0) {
                firstRows = rows;
                firstSeen = System.nanoTime();
            }
            if (System.nanoTime() - printed > TimeUnit.SECONDS.toNanos(1)) {
                printed = System.nanoTime();
                System.out.printf("  %.1f s: %d rows%n", (printed - start) / 1e9, rows);
            }
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        // From the first commit on: the rate once the table exists and its writers run.
        double steadySeconds = (end - firstSeen) / 1e9;
        double sustained = sustainedRowsPerSecond(TableIdentifier.of("default", topic), records);
        long counted = trino.queryLong("SELECT count(*) FROM \"default\"." + topic);
        long distinct = trino.queryLong("SELECT count(DISTINCT id) FROM \"default\"." + topic);
        return String.format("%s: %d rows (Trino counts %d rows, %d distinct ids) of %d B JSON in %.1f s from "
            + "the config change: %.0f rows/s, %.1f MB/s; from the first commit (%d rows at %.1f s) on: %.0f rows/s, "
            + "%.1f MB/s; sustained (the commits from 10 %% to 90 %% of the rows): %.0f rows/s, %.1f MB/s",
            label, rows, counted, distinct, RECORD_BYTES, seconds, rows / seconds, rows * (double) RECORD_BYTES / seconds / 1e6,
            firstRows, (firstSeen - start) / 1e9, (rows - firstRows) / steadySeconds,
            (rows - firstRows) * (double) RECORD_BYTES / steadySeconds / 1e6, sustained,
            sustained * RECORD_BYTES / 1e6);
    }

    /**
     * The rate between the first snapshot holding a tenth of {@code records} and the first
     * holding nine tenths, by their commit times: the pace once the writers run, without the
     * table's creation before and the last interval after.
     */
    private double sustainedRowsPerSecond(TableIdentifier table, long records) {
        List<Snapshot> snapshots = new ArrayList<>();
        catalog.loadTable(table).snapshots().forEach(snapshots::add);
        snapshots.sort(Comparator.comparingLong(Snapshot::sequenceNumber));
        Snapshot from = null;
        Snapshot to = null;
        for (Snapshot snapshot : snapshots) {
            long rows = Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
            if (from == null && rows >= records / 10) {
                from = snapshot;
            }
            if (to == null && rows >= records * 9 / 10) {
                to = snapshot;
            }
        }
        if (from == null || to == null || to.timestampMillis() <= from.timestampMillis()) {
            return Double.NaN;
        }
        long rows = Long.parseLong(to.summary().get("total-records")) - Long.parseLong(from.summary().get("total-records"));
        return rows * 1000.0 / (to.timestampMillis() - from.timestampMillis());
    }

    /** The rows in the table's current snapshot (0 before the table or its first snapshot exists). */
    private long committedRows(TableIdentifier table) {
        try {
            Snapshot snapshot = catalog.loadTable(table).currentSnapshot();
            return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
        } catch (NoSuchTableException | NoSuchNamespaceException notThereYet) {
            return 0;
        }
    }

    private long countRows(String sql) {
        try {
            return trino.queryLong(sql);
        } catch (java.sql.SQLException tableNotThereYet) {
            return 0;
        }
    }

    /** Sends {@code samples} markers to a table topic under background load; how long until Trino sees each. */
    private String freshness(String topic, long intervalMs, int samples, int backgroundRate) throws Exception {
        createTopic(topic, Map.of("lakestream.table.enable", "true",
            "lakestream.table.commit.interval.ms", String.valueOf(intervalMs)));
        AtomicLong nextId = new AtomicLong();
        List<Long> freshness = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            Thread background = new Thread(() -> {
                long sent = 0;
                long begin = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    long due = (System.nanoTime() - begin) * backgroundRate / 1_000_000_000L;
                    for (; sent < due; sent++) {
                        producer.send(new ProducerRecord<>(topic, event(nextId.getAndIncrement())));
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "background-load");
            background.start();
            try {
                // The first commit creates the table; Trino's first query of it is slower.
                while (countRows("SELECT count(*) FROM \"default\"." + topic) == 0) {
                    Thread.sleep(200);
                }
                for (int i = 0; i < samples; i++) {
                    long marker = -1 - i;
                    long sent = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, event(marker))).get(30, TimeUnit.SECONDS);
                    while (countRows("SELECT count(*) FROM \"default\"." + topic + " WHERE id = " + marker) == 0) {
                        Thread.sleep(100);
                    }
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    System.out.printf("  %s marker %d visible after %d ms%n", topic, marker, ms);
                    freshness.add(ms);
                    // Send the next marker at another point of the commit cycle.
                    Thread.sleep(Math.min(intervalMs, 1_000) / 3);
                }
            } finally {
                background.interrupt();
                background.join();
            }
        }
        freshness.sort(null);
        return String.format("freshness with commit.interval.ms=%d under %d records/s: median %d ms, max %d ms "
            + "over %d samples (target: interval + 2000 = %d ms)", intervalMs, backgroundRate,
            freshness.get(freshness.size() / 2), freshness.get(freshness.size() - 1), freshness.size(),
            intervalMs + 2_000);
    }
}
