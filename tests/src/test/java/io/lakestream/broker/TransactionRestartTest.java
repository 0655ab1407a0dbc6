package io.lakestream.broker;

import static io.lakestream.broker.TransactionalClients.producer;
import static io.lakestream.broker.TransactionalClients.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transaction coordinator's state survives a broker restart: the new process reloads
 * {@code __transaction_state}, a committed transaction stays committed, the transaction open
 * when the broker went down is aborted when its producer's successor initializes, and the
 * successor's epoch is above every epoch handed out before.
 */
class TransactionRestartTest {
    private static final String[] OVERRIDES = {"transaction.state.log.num.partitions=3",
        "offsets.topic.num.partitions=3"};

    @TempDir
    Path dir;
    private LakestreamProcess server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private static void send(KafkaProducer<String, String> producer, String prefix) {
        for (int i = 0; i < 6; i++) {
            producer.send(new ProducerRecord<>("restart", i % 2, null, prefix + i));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anOpenTransactionIsAbortedAndANewProducerStartsAfterARestart(boolean sigkill) throws Exception {
        Path data = dir.resolve("data");
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        server = LakestreamProcess.start(data, port, controllerPort, OVERRIDES);
        server.admin().createTopics(List.of(new NewTopic("restart", 2, (short) 1))).all().get();
        List<TopicPartition> partitions = List.of(new TopicPartition("restart", 0), new TopicPartition("restart", 1));
        int epochBefore;
        KafkaProducer<String, String> before = producer(server.bootstrap(), "survivor", Map.of());
        try {
            before.initTransactions();
            before.beginTransaction();
            send(before, "committed-");
            before.commitTransaction();
            before.beginTransaction();
            send(before, "open-");
            before.flush();
            epochBefore = server.admin().describeTransactions(List.of("survivor")).description("survivor").get()
                .producerEpoch();
            if (sigkill) {
                server.kill();
            } else {
                server.stopCleanly();
            }
        } finally {
            before.close(Duration.ZERO);
        }
        server = LakestreamProcess.start(data, port, controllerPort, OVERRIDES);

        try (KafkaProducer<String, String> after = producer(server.bootstrap(), "survivor", Map.of())) {
            after.initTransactions();
            after.beginTransaction();
            send(after, "after-");
            after.commitTransaction();
        }
        List<String> expected = new ArrayList<>();
        IntStream.range(0, 6).forEach(i -> expected.add("committed-" + i));
        IntStream.range(0, 6).forEach(i -> expected.add("after-" + i));
        assertThat(readAll(server.bootstrap(), "read_committed", partitions))
            .as("read_committed after the restart").containsExactlyInAnyOrderElementsOf(expected);
        TransactionDescription description = server.admin().describeTransactions(List.of("survivor"))
            .description("survivor").get();
        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(description.producerEpoch()).as("the successor's epoch").isGreaterThan(epochBefore);
    }
}
