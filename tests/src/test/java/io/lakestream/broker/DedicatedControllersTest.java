package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster shape Kafka users run in production: three dedicated controller processes
 * ({@code process.roles=controller}) and a broker process ({@code process.roles=broker})
 * that joins their quorum. Losing the controller leader must not stop the broker: every
 * record acknowledged across the loss is there, once.
 */
class DedicatedControllersTest {
    private static final String TOPIC = "on-a-quorum";
    private static final int RECORDS_PER_ROUND = 200;

    @TempDir
    Path dir;
    private final List<LakestreamProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (LakestreamProcess process : processes) {
            process.close();
        }
    }

    @Test
    void brokerKeepsServingWhenOneOfThreeControllersIsKilled() throws Exception {
        int[] raftPorts = {LakestreamProcess.freePort(), LakestreamProcess.freePort(), LakestreamProcess.freePort()};
        String voters = "1@127.0.0.1:" + raftPorts[0] + ",2@127.0.0.1:" + raftPorts[1] + ",3@127.0.0.1:" + raftPorts[2];
        List<LakestreamProcess> controllers = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            LakestreamProcess controller = LakestreamProcess.startController(dir.resolve("controller-" + id), id, voters);
            processes.add(controller);
            controllers.add(controller);
        }
        LakestreamProcess broker = LakestreamProcess.start(dir.resolve("broker"), 0, raftPorts[0],
            "process.roles=broker", "node.id=100", "controller.quorum.voters=" + voters);
        processes.add(broker);
        broker.admin().createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);

        List<String> acknowledged = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000))) {
            acknowledged.addAll(produceRound(producer, "before"));
            int leader = activeController(controllers);
            controllers.get(leader - 1).kill();
            acknowledged.addAll(produceRound(producer, "without-leader"));
            LakestreamProcess restarted = LakestreamProcess.startController(dir.resolve("controller-" + leader),
                leader, voters);
            processes.add(restarted);
            // A topic created after the loss: the new quorum assigns it and commits its objects.
            broker.admin().createTopics(List.of(new NewTopic(TOPIC + "-after", 1, (short) 1))).all()
                .get(60, TimeUnit.SECONDS);
            acknowledged.addAll(produceRound(producer, "after"));
        }

        List<String> read = TopicReader.readFromBeginning(broker.bootstrap(), TOPIC, acknowledged.size(),
                new ByteArrayDeserializer(), new StringDeserializer()).stream()
            .map(ConsumerRecord::value).toList();
        assertThat(read).as("records in the topic" + broker.outputForFailure())
            .doesNotHaveDuplicates()
            .containsExactlyInAnyOrderElementsOf(acknowledged);
    }

    /** The node id of the controller whose {@code lakestream_controller_active} gauge is 1. */
    private static int activeController(List<LakestreamProcess> controllers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (int id = 1; id <= controllers.size(); id++) {
                String metrics = http.send(HttpRequest.newBuilder(controllers.get(id - 1).metricsUrl()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
                if (metrics.contains("lakestream_controller_active{voter=\"" + id + "\"} 1.0")) {
                    return id;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no controller reports itself active");
    }

    /** Sends a round of records and waits for every acknowledgement; returns the values sent. */
    private static List<String> produceRound(KafkaProducer<byte[], byte[]> producer, String round) throws Exception {
        long start = System.nanoTime();
        List<String> values = new ArrayList<>();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (int i = 0; i < RECORDS_PER_ROUND; i++) {
            String value = round + "-" + i;
            values.add(value);
            sends.add(producer.send(new ProducerRecord<>(TOPIC, i % 2, null, value.getBytes(StandardCharsets.UTF_8))));
        }
        for (Future<RecordMetadata> send : sends) {
            send.get(120, TimeUnit.SECONDS);
        }
        System.out.printf("DedicatedControllersTest: round %s acknowledged in %d ms%n", round,
            (System.nanoTime() - start) / 1_000_000);
        return values;
    }
}
