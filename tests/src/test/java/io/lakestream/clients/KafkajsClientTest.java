package io.lakestream.clients;

import static io.lakestream.clients.ClientProcess.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.clients.ClientProcess.Output;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kafkajs (the version pinned in {@code clients/kafkajs/package-lock.json}, installed with
 * {@code npm ci} under target/), unchanged, against the real server through
 * {@code kafkajs_client.js}: the admin client (create, grow, delete, list and describe topics;
 * describe the cluster; offsets, offsets by time, delete records) and the idempotent producer,
 * plain and gzip.
 *
 * <p>kafkajs has no consumer outside a consumer group (no assign), and Lakestream has no
 * groups yet, so what kafkajs produced is read back with the Java consumer. When groups exist,
 * a kafkajs consumer belongs here.
 */
class KafkajsClientTest {
    private static final Path CLIENT_DIR = Path.of("target", "kafkajs-client").toAbsolutePath();

    @RegisterExtension
    static final ClientTestServer server = new ClientTestServer();

    @BeforeAll
    static void installKafkajs() throws Exception {
        ClientProcess.npmCi(CLIENT_DIR, "/clients/kafkajs", List.of("package.json", "package-lock.json",
            "kafkajs_client.js"));
    }

    private static Output kafkajs(String... args) {
        Output output = ClientProcess.run(CLIENT_DIR, null, Duration.ofSeconds(60),
            concat(List.of("node", "kafkajs_client.js", server.bootstrap()), args));
        if (output.exitCode() != 0) {
            throw new AssertionError("Client failed:\n" + output.describe() + server.log());
        }
        return output;
    }

    @Test
    void adminCreatesGrowsDescribesAndDeletesTopics() {
        assertThat(kafkajs("create-topic", "js-admin", "2").lines()).containsExactly("created js-admin true");
        assertThat(kafkajs("create-topic", "js-admin", "2").lines()).as("kafkajs' answer for an existing topic")
            .containsExactly("created js-admin false");
        assertThat(kafkajs("create-topic", "js-replicated", "1", "3").lines())
            .containsExactly("failed js-replicated INVALID_REPLICATION_FACTOR");

        assertThat(kafkajs("describe-cluster").lines())
            .containsExactly("broker 1 127.0.0.1:" + server.port(), "controller 1");
        assertThat(kafkajs("metadata", "js-admin").lines()).containsExactly(
            "partition 0 leader 1 replicas 1 isr 1 error 0",
            "partition 1 leader 1 replicas 1 isr 1 error 0");

        kafkajs("create-partitions", "js-admin", "4");
        assertThat(kafkajs("metadata", "js-admin").lines()).hasSize(4);

        assertThat(kafkajs("list-topics").lines()).contains("topic js-admin");
        kafkajs("delete-topic", "js-admin");
        assertThat(kafkajs("list-topics").lines()).doesNotContain("topic js-admin");
    }

    /**
     * 100 messages round-robin over 2 partitions in sends of 10: each send's base offsets, the
     * partitions' end offsets through the admin client, and the records the Java consumer reads
     * (content, headers, order, offsets) all agree.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip"})
    void idempotentProducerWritesWhatTheJavaConsumerReads(String compression) {
        String topic = "js-" + compression;
        kafkajs("create-topic", topic, "2");

        Output producer = kafkajs("produce", topic, "100", "2", compression, "100");

        assertThat(producer.lines()).containsExactlyElementsOf(IntStream.range(0, 10)
            .boxed().flatMap(send -> IntStream.range(0, 2).mapToObj(p -> "sent " + p + " " + (5 * send) + " 0")).toList());
        assertThat(kafkajs("offsets", topic).lines()).containsExactly("offsets 0 0 50", "offsets 1 0 50");
        List<ConsumerRecord<String, String>> records = server.consumeWithJava(topic, 100);
        assertThat(records).as(() -> "records read back" + server.log())
            .extracting(r -> r.partition() + ":" + r.offset() + ":" + r.key() + ":" + r.value().replace("z", "")
                + ":" + new String(r.headers().lastHeader("seq").value()))
            .containsExactlyElementsOf(IntStream.range(0, 2).boxed().flatMap(p -> IntStream.range(0, 50)
                .mapToObj(o -> p + ":" + o + ":k" + (2 * o + p) + ":v" + (2 * o + p) + ":" + (2 * o + p))).toList());
    }

    @Test
    void offsetsByTimestampBeforeAndAfterRecordsAreDeleted() {
        String topic = "js-times";
        kafkajs("create-topic", topic, "1");
        kafkajs("produce", topic, "10", "1", "none", "0", "1000000");

        assertThat(kafkajs("offsets-by-time", topic, "1004500").lines()).containsExactly("time 0 5");
        assertThat(kafkajs("offsets-by-time", topic, "1000000").lines()).containsExactly("time 0 0");
        assertThat(kafkajs("offsets-by-time", topic, "2000000").lines()).as("after the last record: the end")
            .containsExactly("time 0 10");

        kafkajs("delete-records", topic, "0", "3");

        assertThat(kafkajs("offsets", topic).lines()).containsExactly("offsets 0 3 10");
        assertThat(kafkajs("offsets-by-time", topic, "1000000").lines()).as("before the new log start")
            .containsExactly("time 0 3");
    }
}
