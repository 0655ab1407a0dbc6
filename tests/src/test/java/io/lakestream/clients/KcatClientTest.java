package io.lakestream.clients;

import static io.lakestream.clients.ClientProcess.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.clients.ClientProcess.Output;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka), unchanged, against the real server: metadata, keyed produce with every
 * codec, consume from the beginning, an offset, the end and a timestamp, offset queries,
 * headers, null values, the idempotent producer and acks=0. kcat cannot create topics, so
 * topics with more than one partition are made with the Java Admin first.
 */
class KcatClientTest {
    private static final String KCAT = "kcat";
    /** Messages as kcat prints them with this format: key:value:partition:offset. */
    private static final String FORMAT = "%k:%s:%p:%o\\n";

    @RegisterExtension
    static final ClientTestServer server = new ClientTestServer();

    @BeforeAll
    static void requireKcat() {
        ClientProcess.requireInstalled("kcat (Debian package kcat)", KCAT, "-V");
    }

    private static List<String> kcat(String... args) {
        return concat(List.of(KCAT, "-b", server.bootstrap()), args);
    }

    private static Output run(List<String> command) {
        return ClientProcess.run(null, null, Duration.ofSeconds(60), command).succeeded();
    }

    private static Output produce(String input, String... args) {
        return ClientProcess.run(null, input, Duration.ofSeconds(60), kcat(concat(List.of("-P"), args)
            .toArray(String[]::new))).succeeded();
    }

    /** What kcat printed for the consumed messages; "Reached end" and other notices go to stderr. */
    private static List<String> consume(String... args) {
        return run(kcat(concat(List.of("-C", "-e", "-q"), args).toArray(String[]::new))).lines();
    }

    @Test
    void metadataListsTheTopicItsPartitionsAndTheBroker() throws Exception {
        server.createTopic("kcat-metadata", 3);

        Output all = run(kcat("-L"));
        Output one = run(kcat("-L", "-t", "kcat-metadata"));

        assertThat(all.stdout()).as(all.describe()).contains("topic \"kcat-metadata\" with 3 partitions:");
        assertThat(one.lines()).as(one.describe()).contains(
            " 1 brokers:",
            "  broker 1 at 127.0.0.1:" + server.port() + " (controller)",
            "  topic \"kcat-metadata\" with 3 partitions:",
            "    partition 0, leader 1, replicas: 1, isrs: 1",
            "    partition 1, leader 1, replicas: 1, isrs: 1",
            "    partition 2, leader 1, replicas: 1, isrs: 1");
    }

    /**
     * 300 messages under 30 keys, spread by librdkafka's key partitioner: each partition must
     * hold its keys' messages in the order produced, at offsets 0, 1, 2, ... with no gap.
     * Values are long enough to compress, or librdkafka sends the batch uncompressed; its
     * debug log says which codec each produce request used. (librdkafka 2.0 compresses with
     * lz4 only if the broker lists FindCoordinator v0, its stand-in for "Kafka 0.9 or later".)
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void keyedMessagesAreConsumedInOrderAtConsecutiveOffsets(String codec) throws Exception {
        String topic = "kcat-" + codec;
        server.createTopic(topic, 3);
        List<String> produced = IntStream.range(0, 300)
            .mapToObj(i -> "key" + (i % 30) + ":value-" + i + "-" + "x".repeat(100)).toList();

        Output producer = produce(String.join("\n", produced) + "\n", "-t", topic, "-K:", "-z", codec,
            "-X", "linger.ms=100", "-d", "msg");

        assertThat(producer.stderr()).as("librdkafka's debug log of the produce requests")
            .contains(", " + (codec.equals("none") ? "uncompressed" : codec) + ")");
        List<String> consumed = consume("-t", topic, "-o", "beginning", "-f", FORMAT);
        assertThat(consumed).as(() -> "consumed messages" + server.log()).hasSize(produced.size());
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (String line : consumed) {
            String[] fields = line.split(":");
            Integer earlier = partitionOfKey.putIfAbsent(fields[0], Integer.parseInt(fields[2]));
            assertThat(earlier).as("partition of %s in %s", fields[0], line).isIn(null, Integer.parseInt(fields[2]));
        }
        assertThat(partitionOfKey.values()).as("partitions with messages").containsOnly(0, 1, 2);
        for (int partition = 0; partition < 3; partition++) {
            int p = partition;
            List<String> expected = new ArrayList<>();
            produced.stream().filter(m -> partitionOfKey.get(m.substring(0, m.indexOf(':'))) == p)
                .forEach(m -> expected.add(m + ":" + p + ":" + expected.size()));
            assertThat(consumed.stream().filter(line -> line.split(":")[2].equals(String.valueOf(p))).toList())
                .as("messages of partition %d, in offset order", p)
                .containsExactlyElementsOf(expected);

            // From the middle of a batch: the broker returns the whole batch, the client skips
            // the records before the offset asked for.
            assertThat(consume("-t", topic, "-p", String.valueOf(p), "-o", "2", "-f", FORMAT))
                .as("partition %d from offset 2", p)
                .containsExactlyElementsOf(expected.subList(2, expected.size()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void readsBatchesTheJavaProducerCompressed(String codec) throws Exception {
        String topic = "kcat-from-java-" + codec;
        server.createTopic(topic, 1);
        List<String> values = IntStream.range(0, 200).mapToObj(i -> "value-" + i + "-" + "y".repeat(50)).toList();
        server.produceWithJava(topic, codec, values);

        assertThat(consume("-t", topic, "-o", "beginning", "-f", "%s\\n")).as(() -> "values" + server.log())
            .containsExactlyElementsOf(values);
    }

    @Test
    void consumesFromAnOffsetFromTheEndAndFromATimestamp() throws Exception {
        String topic = "kcat-offsets";
        server.createTopic(topic, 1);
        produce("m0\nm1\nm2\nm3\nm4\n", "-t", topic);
        // The two rounds need distinct create times for the by-timestamp lookups below.
        Thread.sleep(50);
        produce("m5\nm6\nm7\nm8\nm9\n", "-t", topic);
        List<String> timestamps = consume("-t", topic, "-o", "beginning", "-f", "%o:%T\\n");
        assertThat(timestamps).hasSize(10);
        long secondRound = Long.parseLong(timestamps.get(5).split(":")[1]);
        assertThat(Long.parseLong(timestamps.get(4).split(":")[1])).as("timestamp of the first round")
            .isLessThan(secondRound);

        assertThat(consume("-t", topic, "-o", "3", "-f", "%s:%o\\n")).as("from offset 3")
            .containsExactly("m3:3", "m4:4", "m5:5", "m6:6", "m7:7", "m8:8", "m9:9");
        assertThat(consume("-t", topic, "-o", "-2", "-f", "%s:%o\\n")).as("the last two")
            .containsExactly("m8:8", "m9:9");
        assertThat(consume("-t", topic, "-o", "s@" + secondRound, "-f", "%s:%o\\n")).as("from the second round's time")
            .containsExactly("m5:5", "m6:6", "m7:7", "m8:8", "m9:9");
        assertThat(consume("-t", topic, "-o", "beginning", "-o", "e@" + secondRound, "-f", "%s:%o\\n"))
            .as("up to the second round's time").containsExactly("m0:0", "m1:1", "m2:2", "m3:3", "m4:4");

        assertThat(query(topic + ":0:" + secondRound)).isEqualTo(topic + " [0] offset 5");
        assertThat(query(topic + ":0:-1")).as("latest").isEqualTo(topic + " [0] offset 10");
        assertThat(query(topic + ":0:-2")).as("earliest").isEqualTo(topic + " [0] offset 0");
    }

    /** kcat -Q: the offset of a timestamp (or -1 latest, -2 earliest) through ListOffsets. */
    private static String query(String topicPartitionTimestamp) {
        return run(kcat("-Q", "-t", topicPartitionTimestamp)).stdout().strip();
    }

    @Test
    void aConsumerWaitingAtTheEndReceivesMessagesProducedLater() throws Exception {
        String topic = "kcat-tail";
        server.createTopic(topic, 1);
        CompletableFuture<Output> consumer = CompletableFuture.supplyAsync(() ->
            run(kcat("-C", "-q", "-t", topic, "-o", "beginning", "-c", "3", "-f", "%s:%o\\n")));
        Thread.sleep(2_000);
        assertThat(consumer).as("consumer of an empty topic").isNotDone();

        produce("late0\nlate1\nlate2\n", "-t", topic);

        assertThat(consumer.get().lines()).containsExactly("late0:0", "late1:1", "late2:2");
    }

    @Test
    void headersAndNullValuesRoundTrip() {
        String topic = "kcat-headers";
        produce("a:first\nb:\n", "-t", topic, "-K:", "-Z", "-H", "trace=abc", "-H", "origin=kcat");

        List<String> consumed = consume("-t", topic, "-o", "beginning", "-Z", "-f", "%k:%s:%S:%h:%o\\n");

        assertThat(consumed).as(() -> "key:value:length:headers:offset" + server.log()).containsExactly(
            "a:first:5:trace=abc,origin=kcat:0",
            "b:NULL:-1:trace=abc,origin=kcat:1");
    }

    @Test
    void idempotentProducerWithAcksAllWritesEachMessageOnce() throws Exception {
        String topic = "kcat-idempotent";
        server.createTopic(topic, 1);
        String input = IntStream.range(0, 1000).mapToObj(i -> "k" + i + ":v" + i + "\n").collect(Collectors.joining());

        Output producer = produce(input, "-t", topic, "-K:", "-X", "enable.idempotence=true", "-X", "acks=all",
            "-d", "eos");

        assertThat(producer.stderr()).as("librdkafka's idempotence log").contains("Acquired PID{Id:");
        List<String> consumed = consume("-t", topic, "-o", "beginning", "-f", "%k:%s:%o\\n");
        assertThat(consumed).containsExactlyElementsOf(
            LongStream.range(0, 1000).mapToObj(i -> "k" + i + ":v" + i + ":" + i).toList());
    }

    /**
     * acks=0 has no response to wait for, so the consumer waits for the three messages instead
     * of stopping at the end it first sees. The first metadata request creates the topic.
     */
    @Test
    void acksZeroMessagesToAnAutoCreatedTopicAreWritten() {
        String topic = "kcat-auto-created";
        produce("one\ntwo\nthree\n", "-t", topic, "-X", "acks=0");

        assertThat(run(kcat("-C", "-q", "-t", topic, "-o", "beginning", "-c", "3", "-f", "%s:%p:%o\\n")).lines())
            .containsExactly("one:0:0", "two:0:1", "three:0:2");
    }
}
