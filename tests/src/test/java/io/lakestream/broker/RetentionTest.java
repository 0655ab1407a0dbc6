package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention by size and by time as Kafka's Java clients see it against the real server process:
 * the earliest offset moves, a consumer from the beginning reads only what was kept, and one
 * that fetches below the log start is told OFFSET_OUT_OF_RANGE. The topic's traffic shows on
 * the Prometheus endpoint.
 */
class RetentionTest {
    private static final long HOUR = 3_600_000;
    /** One record per batch: the value, its key and a v2 batch header stay below this. */
    private static final int MAX_BATCH_BYTES = 1_100;
    private static final int INDEX_INTERVAL_BYTES = 4096;

    /** One server for the class; retention checks every 300 ms so that tests wait little. */
    private static LakestreamProcess server;

    @BeforeAll
    static void startServerCheckingRetentionOften(@TempDir Path dir) throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0, "log.retention.check.interval.ms=300");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.stopCleanly();
        }
    }

    /**
     * Sends each value to partition 0 on its own, with {@code timestamp} (null: the producer's
     * clock), and waits for it, so that each is a batch of its own.
     */
    private static void produceOneByOne(String topic, Long timestamp, List<String> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, 0, timestamp, null, value.getBytes(StandardCharsets.UTF_8)))
                    .get();
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String offsetReset) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    /** Everything from the beginning up to {@code endOffset}, as a consumer that seeks to the beginning reads it. */
    private static List<ConsumerRecord<String, String>> consumeFromBeginning(TopicPartition tp, long endOffset) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer("none")) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 30_000;
            while (consumer.position(tp) < endOffset && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    private static long earliest(TopicPartition tp) throws Exception {
        return server.admin().listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
    }

    private static long latest(TopicPartition tp) throws Exception {
        return server.admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
    }

    private static String value(String prefix, int i, int length) {
        String head = prefix + "-" + i + "-";
        return head + "x".repeat(length - head.length());
    }

    @Test
    void sizeRetentionKeepsAtLeastRetentionBytesAndConsumersReadOnlyWhatIsKept() throws Exception {
        String topic = "by-size";
        TopicPartition tp = new TopicPartition(topic, 0);
        long retentionBytes = 20_000;
        server.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
            .configs(Map.of("retention.bytes", String.valueOf(retentionBytes))))).all().get();
        int count = 100;
        List<String> sent = IntStream.range(0, count).mapToObj(i -> value("s", i, 1000)).toList();
        produceOneByOne(topic, null, sent);
        // At most one index run of whole batches, plus the batch that crosses it, above retention.bytes.
        long mostKept = (retentionBytes + INDEX_INTERVAL_BYTES + MAX_BATCH_BYTES) / 1000;

        await("the earliest offset of " + tp + " moves until at most " + mostKept + " records are kept")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> count - earliest(tp) <= mostKept);
        // The pass that met the bound may have run before the last records were indexed; the
        // next one (every 300 ms) trims further. Read once no pass has moved it for a second.
        long[] seen = {earliest(tp)};
        await("the earliest offset of " + tp + " settles")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).during(Duration.ofSeconds(1))
            .until(() -> {
                long before = seen[0];
                seen[0] = earliest(tp);
                return seen[0] == before;
            });

        long start = seen[0];
        assertThat(count - start).as("records kept: at least retention.bytes of batches")
            .isGreaterThanOrEqualTo((retentionBytes + MAX_BATCH_BYTES - 1) / MAX_BATCH_BYTES);
        assertThat(latest(tp)).as("latest offset").isEqualTo(count);
        List<ConsumerRecord<String, String>> read = consumeFromBeginning(tp, count);
        assertThat(read).extracting(ConsumerRecord::offset)
            .as(() -> "offsets read from the beginning" + server.outputForFailure())
            .containsExactlyElementsOf(LongStream.range(start, count).boxed().toList());
        assertThat(read).extracting(ConsumerRecord::value).containsExactlyElementsOf(sent.subList((int) start, count));
        assertThat(server.output()).contains("Retention moved the log start offset of " + tp);

        try (KafkaConsumer<String, String> consumer = consumer("none")) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, 0);
            assertThatThrownBy(() -> {
                long deadline = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(500));
                }
            }).as("a fetch below the log start offset").isInstanceOf(OffsetOutOfRangeException.class);
        }

        Map<String, Double> metrics = scrape(topic);
        assertThat(metrics.get("lakestream_broker_topic_bytes_in_total")).as("bytes in of " + topic)
            .isGreaterThanOrEqualTo(count * 1000.0);
        assertThat(metrics.get("lakestream_broker_topic_messages_in_total")).as("messages in of " + topic)
            .isEqualTo((double) count);
        assertThat(metrics.get("lakestream_broker_topic_bytes_out_total")).as("bytes out of " + topic)
            .isGreaterThanOrEqualTo((count - start) * 1000.0);
        assertThat(metrics.get("lakestream_broker_retention_trimmed_records_total")).as("records trimmed")
            .isEqualTo((double) start);
    }

    @Test
    void timeRetentionRemovesRecordsOlderThanRetentionMs() throws Exception {
        String topic = "by-time";
        TopicPartition tp = new TopicPartition(topic, 0);
        server.admin().createTopics(List.of(new NewTopic(topic, 1, (short) 1)
            .configs(Map.of("retention.ms", String.valueOf(HOUR))))).all().get();
        long now = System.currentTimeMillis();
        int old = 30;
        int recent = 10;
        List<String> sent = new ArrayList<>();
        IntStream.range(0, old).forEach(i -> sent.add(value("old", i, 500)));
        IntStream.range(0, recent).forEach(i -> sent.add(value("recent", i, 500)));
        produceOneByOne(topic, now - 2 * HOUR, sent.subList(0, old));
        produceOneByOne(topic, now, sent.subList(old, old + recent));
        // Old batches in the index run that holds the first recent batch may stay.
        long mostOldKept = INDEX_INTERVAL_BYTES / 500 + 1;

        await("the earliest offset of " + tp + " moves past all but " + mostOldKept + " old records")
            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
            .until(() -> earliest(tp) >= old - mostOldKept);

        long start = earliest(tp);
        assertThat(start).as("earliest offset: no recent record is removed").isLessThanOrEqualTo(old);
        List<ConsumerRecord<String, String>> read = consumeFromBeginning(tp, old + recent);
        assertThat(read).extracting(ConsumerRecord::value)
            .as(() -> "values read from the beginning" + server.outputForFailure())
            .containsExactlyElementsOf(sent.subList((int) start, old + recent));
    }

    /** The topic's series on the Prometheus page, by metric name. */
    private static Map<String, Double> scrape(String topic) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(server.metricsUrl()).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("status of " + server.metricsUrl()).isEqualTo(200);
        Pattern series = Pattern.compile("^(\\w+)\\{topic=\"" + Pattern.quote(topic) + "\"} (\\S+)$",
            Pattern.MULTILINE);
        Map<String, Double> values = new HashMap<>();
        Matcher matcher = series.matcher(response.body());
        while (matcher.find()) {
            values.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        return values;
    }
}
