package io.lakestream.clients;

import static io.lakestream.clients.ClientProcess.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.clients.ClientProcess.Output;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * confluent-kafka-python (Debian's python3-confluent-kafka on librdkafka), unchanged, against
 * the real server through {@code clients/confluent_kafka_client.py}: AdminClient topic creation
 * and listing, the idempotent producer with acks=all, consumers assigned to partitions and
 * offsets, watermarks and offsets by time. Consumer groups are not implemented yet, so no
 * consumer subscribes; when they are, a subscribing consumer belongs here.
 */
class ConfluentKafkaPythonClientTest {
    /** Debian's interpreter, which has python3-confluent-kafka; a pyenv python3 on PATH would not. */
    private static final String PYTHON = "/usr/bin/python3";

    @RegisterExtension
    static final ClientTestServer server = new ClientTestServer();
    private static String script;

    @BeforeAll
    static void requireConfluentKafka() {
        ClientProcess.requireInstalled("confluent-kafka-python (Debian package python3-confluent-kafka)",
            PYTHON, "-c", "import confluent_kafka");
        script = ClientProcess.resource("/clients/confluent_kafka_client.py").toString();
    }

    private static Output python(String... args) {
        Output output = ClientProcess.run(concat(List.of(PYTHON, script, server.bootstrap()), args)
            .toArray(String[]::new));
        if (output.exitCode() != 0) {
            throw new AssertionError("Client failed:\n" + output.describe() + server.log());
        }
        return output;
    }

    @Test
    void adminCreatesAndListsTopicsAndRefusesWhatKafkaRefuses() {
        assertThat(python("create-topics", "py-admin:3").lines()).containsExactly("created py-admin");
        assertThat(python("create-topics", "py-admin:3", "py-replicated:1:3").lines()).containsExactlyInAnyOrder(
            "failed py-admin TOPIC_ALREADY_EXISTS",
            "failed py-replicated INVALID_REPLICATION_FACTOR");

        assertThat(python("list-topics").lines()).contains(
            "broker 1 127.0.0.1:" + server.port(),
            "topic py-admin 3 NONE");
        assertThat(python("list-topics", "py-admin").lines()).containsExactly(
            "broker 1 127.0.0.1:" + server.port(),
            "topic py-admin 3 NONE",
            "partition 0 leader 1 replicas [1] isrs [1]",
            "partition 1 leader 1 replicas [1] isrs [1]",
            "partition 2 leader 1 replicas [1] isrs [1]");
    }

    /**
     * 300 messages round-robin over 3 partitions: the delivery reports give each partition
     * offsets 0..99 in send order, and consumers assigned from offset 0 (all partitions) and
     * from offset 90 (one partition) read exactly those messages with their headers.
     * lz4 is left out: librdkafka 2.0 sends it uncompressed to a broker without consumer
     * groups (see KcatClientTest).
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "zstd"})
    void idempotentProducerWithAcksAllAndAssignedConsumers(String codec) {
        String topic = "py-" + codec;
        python("create-topics", topic + ":3");

        Output producer = python("produce", topic, "300", "3", "--compression", codec, "--padding", "100");

        assertThat(producer.stderr()).as("librdkafka's idempotence log").contains("Acquired PID{Id:");
        assertThat(producer.lines()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 300)
            .mapToObj(i -> "delivered " + (i % 3) + ":" + (i / 3) + ":k" + i).toList());
        assertThat(producer.lines()).as("delivery reports of partition 0, in report order")
            .filteredOn(line -> line.startsWith("delivered 0:"))
            .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(o -> "delivered 0:" + o + ":k" + (3 * o)).toList());

        List<String> all = python("consume", topic, "300", "0:0", "1:0", "2:0").lines();
        for (int partition = 0; partition < 3; partition++) {
            int p = partition;
            assertThat(all).as("messages of partition %d, in offset order", p)
                .filteredOn(line -> line.startsWith(p + ":"))
                .containsExactlyElementsOf(IntStream.range(0, 100).map(o -> 3 * o + p)
                    .mapToObj(i -> p + ":" + (i / 3) + ":k" + i + ":v" + i + ":seq=" + i).toList());
        }
        assertThat(python("consume", topic, "10", "1:90").lines()).as("partition 1 from offset 90")
            .containsExactlyElementsOf(IntStream.range(90, 100)
                .mapToObj(o -> "1:" + o + ":k" + (3 * o + 1) + ":v" + (3 * o + 1) + ":seq=" + (3 * o + 1)).toList());
    }

    @Test
    void watermarksAndOffsetsForTimes() {
        String topic = "py-times";
        python("create-topics", topic + ":1");
        python("produce", topic, "10", "1", "--timestamp-base", "1000000");

        assertThat(python("offsets", topic, "0", "1004500", "1000000", "1009000", "2000000").lines()).containsExactly(
            "watermarks 0 10",
            "time 1004500 5 NONE",
            "time 1000000 0 NONE",
            "time 1009000 9 NONE",
            "time 2000000 -1 NONE");
    }
}
