package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once consume-transform-produce: a {@link TransactionalCopier} in its own JVM is
 * SIGKILLed while it copies, a new one with the same transactional id takes over (fencing the
 * dead one's open transaction), and the output read read_committed holds every input record
 * exactly once: the copies and the consumed offsets were committed or aborted together.
 */
class ExactlyOnceCopyTest {
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 3_000;

    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "transaction.state.log.num.partitions=3", "offsets.topic.num.partitions=3",
        "group.initial.rebalance.delay.ms=0");

    @TempDir
    Path dir;

    private static long copied(VerifiableTool copier) {
        return copier.events("committed").stream().mapToLong(event -> event.path("records").asLong()).sum();
    }

    private VerifiableTool startCopier(String name, String mode) throws Exception {
        return VerifiableTool.start(name, dir, TransactionalCopier.class.getName(), List.of(SERVER.bootstrap(),
            "eos-in-" + mode, "eos-out-" + mode, "eos-group-" + mode, "eos-copier-" + mode,
            String.valueOf(PARTITIONS), "30", mode));
    }

    @ParameterizedTest
    @ValueSource(strings = {"assign", "subscribe"})
    void everyInputIsCopiedExactlyOnceAcrossASigkilledCopier(String mode) throws Exception {
        SERVER.admin().createTopics(List.of(new NewTopic("eos-in-" + mode, PARTITIONS, (short) 1),
            new NewTopic("eos-out-" + mode, PARTITIONS, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = SERVER.process().producer(Map.of())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>("eos-in-" + mode, i % PARTITIONS, null, ("in-" + i).getBytes()));
            }
        }
        long copiedBeforeKill;
        try (VerifiableTool first = startCopier("copier-1", mode)) {
            await().atMost(Duration.ofSeconds(120)).until(() -> copied(first) >= RECORDS / 4 || !first.isAlive());
            assertThat(first.isAlive()).as("the first copier is running" + first.stderr()).isTrue();
            first.kill();
            copiedBeforeKill = copied(first);
        }
        assertThat(copiedBeforeKill).as("records the first copier committed before it was killed")
            .isLessThan(RECORDS);

        List<TopicPartition> output = IntStream.range(0, PARTITIONS)
            .mapToObj(p -> new TopicPartition("eos-out-" + mode, p)).toList();
        try (VerifiableTool second = startCopier("copier-2", mode)) {
            // Waits on the output, not on the copiers' reports: the first may have committed a
            // transaction whose report it was killed before printing.
            try {
                await().atMost(Duration.ofSeconds(180)).until(() -> !second.isAlive()
                    || TransactionalClients.readAll(SERVER.bootstrap(), "read_committed", output).size() >= RECORDS);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the second copier reported " + copied(second) + " records, the first "
                    + copiedBeforeKill + ", of " + RECORDS + second.stderr() + SERVER.log(), e);
            }
            assertThat(second.isAlive()).as("the second copier is running" + second.stderr()).isTrue();
            second.kill();
        }
        List<String> expected = IntStream.range(0, RECORDS).mapToObj(i -> "copy:in-" + i).toList();
        assertThat(TransactionalClients.readAll(SERVER.bootstrap(), "read_committed", output))
            .as("the output read read_committed").containsExactlyInAnyOrderElementsOf(expected);
    }
}
