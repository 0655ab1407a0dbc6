package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams with exactly_once_v2 on Lakestream: a word count ({@link WordCountStreams}, in
 * its own JVM) is SIGKILLed midway through its input, inside an open transaction; a new
 * instance with an empty state directory, as on another machine, restores the counts from the
 * compacted changelog topic and finishes. The output read read_committed ends with exactly the
 * counts of the input: nothing the killed instance did was counted twice. Exercises the Admin
 * API creating internal topics, the repartition topic, the changelog, transactions (and their
 * abort on timeout) and the consumer group with transactional offset commits.
 */
class KafkaStreamsWordCountTest {
    private static final String[] WORDS = {"lake", "stream", "kafka", "object", "store", "batch", "offset",
        "group", "topic", "record", "commit", "abort"};
    private static final int LINES = 3_000;
    private static final int PARTITIONS = 3;
    private static final String APPLICATION = "wordcount";

    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "transaction.state.log.num.partitions=3", "offsets.topic.num.partitions=3",
        "group.initial.rebalance.delay.ms=0", "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000");

    @TempDir
    Path dir;

    /** Line {@code i}: one to four words of a fixed vocabulary, so the counts are known. */
    private static List<String> line(int i) {
        return IntStream.rangeClosed(0, i % 4).mapToObj(j -> WORDS[(i * 5 + j * 7) % WORDS.length]).toList();
    }

    private VerifiableTool startStreams(String name, int pauseMillisPerLine) throws Exception {
        return VerifiableTool.start(name, dir, WordCountStreams.class.getName(), List.of(SERVER.bootstrap(),
            APPLICATION, "lines", "counts", dir.resolve(name + "-state").toString(),
            String.valueOf(pauseMillisPerLine)));
    }

    /** The input lines whose processing the application has committed (its group's offsets). */
    private static long committedLines() throws Exception {
        return SERVER.admin().listConsumerGroupOffsets(APPLICATION).partitionsToOffsetAndMetadata().get()
            .entrySet().stream().filter(e -> e.getKey().topic().equals("lines") && e.getValue() != null)
            .mapToLong(e -> e.getValue().offset()).sum();
    }

    /** The last count of each word in the output, read read_committed up to its last stable offset. */
    private static Map<String, Long> committedCounts() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SERVER.bootstrap());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Long> counts = new TreeMap<>();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new LongDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition("counts", p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(200))) {
                    counts.put(record.key(), record.value());
                }
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return counts;
    }

    @Test
    void wordCountsAreExactAcrossASigkilledExactlyOnceStreamsApplication() throws Exception {
        SERVER.admin().createTopics(List.of(new NewTopic("lines", PARTITIONS, (short) 1),
            new NewTopic("counts", PARTITIONS, (short) 1))).all().get();
        Map<String, Long> expected = new TreeMap<>();
        try (KafkaProducer<byte[], byte[]> producer = SERVER.process().producer(Map.of())) {
            for (int i = 0; i < LINES; i++) {
                line(i).forEach(word -> expected.merge(word, 1L, Long::sum));
                producer.send(new ProducerRecord<>("lines", ("line-" + i).getBytes(),
                    String.join(" ", line(i)).getBytes()));
            }
        }

        long committedAtKill;
        try (VerifiableTool first = startStreams("streams-1", 3)) {
            await().atMost(Duration.ofSeconds(120))
                .until(() -> committedLines() >= LINES / 4 || !first.isAlive());
            assertThat(first.isAlive()).as("the first instance is running" + first.stderr()).isTrue();
            first.kill();
            committedAtKill = committedLines();
        }
        assertThat(committedAtKill).as("input lines the first instance committed before it was killed")
            .isLessThan(LINES);

        try (VerifiableTool second = startStreams("streams-2", 0)) {
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> !second.isAlive()
                    || expected.entrySet().stream().allMatch(
                        e -> committedCounts().getOrDefault(e.getKey(), 0L) >= e.getValue()));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the counts read read_committed reached only " + committedCounts()
                    + " of " + expected + second.stderr() + SERVER.log(), e);
            }
            assertThat(second.isAlive()).as("the second instance is running" + second.stderr()).isTrue();
            second.kill();
        }
        assertThat(committedCounts()).as("the last count of each word, read read_committed")
            .isEqualTo(expected);

        String changelog = APPLICATION + "-word-counts-changelog";
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, changelog);
        ConfigEntry policy = SERVER.admin().describeConfigs(List.of(resource)).all().get().get(resource)
            .get(TopicConfig.CLEANUP_POLICY_CONFIG);
        assertThat(policy.value()).as("the cleanup policy of the changelog topic Streams created")
            .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
    }
}
