package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.table.commit.CommittedOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the external catalog tests share: a table topic fed with JSON records, and what the
 * table (read through a catalog the test opens itself) must then hold. Stateless.
 */
final class ExternalCatalogTables {
    static final String TOPIC = "payments";
    static final int PARTITIONS = 4;

    private ExternalCatalogTables() {}

    static void createTableTopic(LakestreamProcess server) throws Exception {
        server.admin().createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1).configs(Map.of(
            "lakestream.table.enable", "true", "lakestream.table.commit.interval.ms", "1000"))))
            .all().get(60, TimeUnit.SECONDS);
    }

    /** Sends ids {@code [from, to)} with an idempotent producer and waits for every acknowledgement. */
    static void produce(LakestreamProcess server, long from, long to) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            for (long id = from; id < to; id++) {
                producer.send(new ProducerRecord<>(TOPIC, ("k" + id).getBytes(StandardCharsets.UTF_8),
                    ("{\"id\": " + id + ", \"amount\": " + (id % 100) + "}").getBytes(StandardCharsets.UTF_8)));
            }
            producer.flush();
        }
    }

    /** The end offset of every partition of the topic. */
    static Map<Integer, Long> endOffsets(LakestreamProcess server) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        server.admin().listOffsets(latest).all().get(60, TimeUnit.SECONDS)
            .forEach((partition, info) -> ends.put(partition.partition(), info.offset()));
        return ends;
    }

    /**
     * Waits until the table's newest snapshot holds every offset of the topic, then checks the
     * rows themselves: exactly {@code ids} rows, each id once, each (partition, offset) once.
     */
    static void assertHoldsExactly(Supplier<Table> table, LakestreamProcess server, long ids) throws Exception {
        Map<Integer, Long> ends = endOffsets(server);
        assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).as("records in the topic").isEqualTo(ids);
        Object[] last = {null};
        try {
            await("the table's offsets reach the topic's end offsets " + ends).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                    Table loaded = table.get();
                    CommittedOffsets offsets = CommittedOffsets.of(loaded);
                    last[0] = offsets;
                    return offsets.offsets().equals(ends);
                });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("The table's offsets: " + last[0] + server.outputForFailure(), e);
        }
        Table loaded = table.get();
        Snapshot snapshot = loaded.currentSnapshot();
        assertThat(snapshot.summary().get("total-records")).as("total-records of the current snapshot")
            .isEqualTo(String.valueOf(ids));
        Set<Long> seenIds = new HashSet<>();
        Set<String> positions = new HashSet<>();
        long rows = 0;
        try (CloseableIterable<Record> records = IcebergGenerics.read(loaded).build()) {
            for (Record record : records) {
                rows++;
                seenIds.add(((Number) record.getField("id")).longValue());
                positions.add(record.getField("_kafka_partition") + "/" + record.getField("_kafka_offset"));
            }
        }
        assertThat(rows).as("rows read from the table's files").isEqualTo(ids);
        assertThat(seenIds).as("distinct ids").hasSize((int) ids);
        assertThat(positions).as("distinct (partition, offset)").hasSize((int) ids);
    }
}
