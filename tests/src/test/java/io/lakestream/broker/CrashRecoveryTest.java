package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the server under acks=all load from Kafka's own VerifiableProducer, then a
 * restart on the same data: every acknowledged record is there exactly once, at the offset it
 * was acknowledged with, and no value is written twice. The partitions checkpoint their index
 * every 200 ms, so the restart restores it from a checkpoint taken under load and replays
 * only the batches after it, and the idempotent producer's retries across the kill must
 * still be recognised.
 *
 * <p>Read back with the Java consumer by assignment, so that the check depends on nothing but
 * the log (VerifiableConsumerGroupTest runs Kafka's VerifiableConsumer in groups).
 */
class CrashRecoveryTest {
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 3;
    private static final int MESSAGES = 6_000;
    private static final int ACKED_BEFORE_KILL = 1_500;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHECKPOINT_OFTEN = "log.index.checkpoint.interval.ms=200";

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private Process producer;

    @AfterEach
    void stop() throws Exception {
        if (producer != null) {
            producer.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesAKillExactlyOnceAtItsOffset() throws Exception {
        Path data = dir.resolve("data");
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        server = LakestreamProcess.start(data, port, controllerPort, CHECKPOINT_OFTEN);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
        }
        List<JsonNode> acks = new CopyOnWriteArrayList<>();
        List<JsonNode> errors = new CopyOnWriteArrayList<>();
        producer = startVerifiableProducer(server.bootstrap(), acks, errors);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acks.size() < ACKED_BEFORE_KILL) {
            assertThat(producer.isAlive() && System.nanoTime() < deadline)
                .as(() -> "VerifiableProducer still running after " + acks.size() + " acks; its stderr:\n"
                    + producerStderr())
                .isTrue();
            Thread.sleep(50);
        }
        server.kill();
        int ackedAtKill = acks.size();
        server = LakestreamProcess.start(data, port, controllerPort, CHECKPOINT_OFTEN);
        assertThat(producer.waitFor(180, TimeUnit.SECONDS)).as("VerifiableProducer finished").isTrue();

        assertThat(acks.size()).as(() -> "acks after the restart (at the kill: " + ackedAtKill + "; errors: " + errors
                + "; producer stderr:\n" + producerStderr())
            .isGreaterThan(ackedAtKill);
        Map<TopicPartition, List<String>> log = readAll(server.bootstrap());
        List<String> everyValue = new ArrayList<>();
        log.values().forEach(everyValue::addAll);
        System.out.printf("CrashRecoveryTest: %d acks (%d before the kill), %d records in the log, %d send errors%n",
            acks.size(), ackedAtKill, everyValue.size(), errors.size());
        assertThat(everyValue).as("values in the log").doesNotHaveDuplicates();
        assertThat(server.output()).as("a partition restored its index from a checkpoint")
            .contains("index restored, replayed offsets");
        for (JsonNode ack : acks) {
            TopicPartition tp = new TopicPartition(TOPIC, ack.get("partition").asInt());
            long offset = ack.get("offset").asLong();
            assertThat(log.get(tp)).as("%s has acknowledged offset %d", tp, offset).hasSizeGreaterThan((int) offset);
            assertThat(log.get(tp).get((int) offset)).as("value at %s offset %d", tp, offset)
                .isEqualTo(ack.get("value").asText());
        }
    }

    private String producerStderr() {
        try {
            return Files.readString(dir.resolve("producer.stderr"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Runs Kafka's VerifiableProducer in its own JVM and collects its send_success and send_error lines. */
    private Process startVerifiableProducer(String bootstrap, List<JsonNode> acks, List<JsonNode> errors)
        throws IOException {
        Path config = dir.resolve("producer.properties");
        Files.writeString(config, "enable.idempotence=true\nretries=2147483647\nlinger.ms=5\ndelivery.timeout.ms=170000\n");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.VerifiableProducer",
            "--bootstrap-server", bootstrap, "--topic", TOPIC, "--max-messages", String.valueOf(MESSAGES),
            "--throughput", "1000", "--acks", "-1", "--command-config", config.toString())
            .redirectError(dir.resolve("producer.stderr").toFile())
            .start();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("{")) {
                        continue; // the client's own log lines, e.g. while the broker is down
                    }
                    JsonNode event = JSON.readTree(line);
                    String name = event.path("name").asText();
                    if (name.equals("producer_send_success")) {
                        acks.add(event);
                    } else if (name.equals("producer_send_error")) {
                        errors.add(event);
                    }
                }
            } catch (IOException e) {
                // The process ended.
            }
        }, "verifiable-producer-output");
        reader.setDaemon(true);
        reader.start();
        return process;
    }

    /** Every record of the topic, by partition, from offset 0 to the end. */
    private static Map<TopicPartition, List<String>> readAll(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        Map<TopicPartition, List<String>> log = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new StringDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
                log.put(new TopicPartition(TOPIC, p), new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    assertThat(record.offset()).as("next offset of %s", tp).isEqualTo(log.get(tp).size());
                    log.get(tp).add(record.value());
                }
            }
            assertThat(partitions).allSatisfy(tp -> assertThat(consumer.position(tp)).as("position of %s", tp)
                .isEqualTo(ends.get(tp)));
        }
        return log;
    }
}
