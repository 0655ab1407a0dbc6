package io.lakestream.broker;

import static io.lakestream.broker.TransactionalClients.endOffset;
import static io.lakestream.broker.TransactionalClients.producer;
import static io.lakestream.broker.TransactionalClients.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka transactions end to end with the real Java client: what read_committed and
 * read_uncommitted consumers see of committed and aborted transactions, fencing of a zombie
 * producer by a newer one with the same transactional id, the abort of a transaction left open
 * past its timeout, and the admin client's view of the coordinator (kafka-transactions.sh).
 */
class TransactionsTest {
    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "transaction.state.log.num.partitions=3", "offsets.topic.num.partitions=3",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms=500");

    private static List<TopicPartition> createTopic(String name, int partitions) throws Exception {
        SERVER.admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        return IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(name, p)).toList();
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            producer.send(new ProducerRecord<>(topic, i % 2, null, prefix + i));
        }
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void readCommittedSeesOnlyCommittedTransactionsAndReadUncommittedSeesAll() throws Exception {
        List<TopicPartition> partitions = createTopic("txn-visibility", 2);
        try (KafkaProducer<String, String> producer = producer(SERVER.bootstrap(), "visibility", Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "txn-visibility", "first-", 10);
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, "txn-visibility", "aborted-", 10);
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            send(producer, "txn-visibility", "second-", 6);
            producer.commitTransaction();
        }
        List<String> committed = new ArrayList<>(values("first-", 10));
        committed.addAll(values("second-", 6));
        List<String> all = new ArrayList<>(committed);
        all.addAll(values("aborted-", 10));

        assertThat(readAll(SERVER.bootstrap(), "read_committed", partitions))
            .as("what a read_committed consumer reads").containsExactlyInAnyOrderElementsOf(committed);
        assertThat(readAll(SERVER.bootstrap(), "read_uncommitted", partitions))
            .as("what a read_uncommitted consumer reads").containsExactlyInAnyOrderElementsOf(all);

        TransactionDescription description = SERVER.admin().describeTransactions(List.of("visibility"))
            .description("visibility").get();
        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(description.topicPartitions()).isEmpty();
        Collection<TransactionListing> listed = SERVER.admin().listTransactions().all().get();
        assertThat(listed).extracting(TransactionListing::transactionalId).contains("visibility");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(SERVER.process().metric("lakestream_broker_transactions_ended_total{result=\"commit\"}"))
                .as("commits counted").isGreaterThanOrEqualTo(2);
            assertThat(SERVER.process().metric("lakestream_broker_transactions_ended_total{result=\"abort\"}"))
                .as("aborts counted").isGreaterThanOrEqualTo(1);
        });
        assertThat(SERVER.process().metric("lakestream_broker_transactions_marker_write_seconds_count"))
            .as("transactions whose markers were timed").isGreaterThanOrEqualTo(3);
    }

    @Test
    void theAdminClientAbortsAHangingTransactionWithWriteTxnMarkers() throws Exception {
        List<TopicPartition> partitions = createTopic("txn-hanging", 2);
        TopicPartition first = partitions.get(0);
        try (KafkaProducer<String, String> producer = producer(SERVER.bootstrap(), "hung", Map.of())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("txn-hanging", 0, null, "hung-0"));
            producer.flush();
            ProducerState open = SERVER.admin().describeProducers(List.of(first)).partitionResult(first).get()
                .activeProducers().get(0);
            assertThat(open.currentTransactionStartOffset()).as("the open transaction's first offset").hasValue(0);

            // kafka-transactions.sh abort --topic txn-hanging --partition 0 --producer-id ... (as for a hanging one)
            SERVER.admin().abortTransaction(new AbortTransactionSpec(first, open.producerId(),
                (short) open.producerEpoch(), open.coordinatorEpoch().orElse(0))).all().get();

            assertThat(endOffset(SERVER.bootstrap(), "read_committed", first))
                .as("the last stable offset after the abort").isEqualTo(2);
            assertThat(readAll(SERVER.bootstrap(), "read_committed", List.of(first))).isEmpty();
        }
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        List<TopicPartition> partitions = createTopic("txn-fencing", 2);
        try (KafkaProducer<String, String> zombie = producer(SERVER.bootstrap(), "fenced", Map.of());
             KafkaProducer<String, String> successor = producer(SERVER.bootstrap(), "fenced", Map.of())) {
            zombie.initTransactions();
            zombie.beginTransaction();
            send(zombie, "txn-fencing", "zombie-", 4);
            zombie.flush();

            successor.initTransactions();
            successor.beginTransaction();
            send(successor, "txn-fencing", "successor-", 4);
            successor.commitTransaction();

            assertThatThrownBy(zombie::commitTransaction)
                .as("the zombie's commit after its successor started")
                .isInstanceOfAny(ProducerFencedException.class, InvalidProducerEpochException.class);
        }
        assertThat(readAll(SERVER.bootstrap(), "read_committed", partitions))
            .as("a read_committed consumer sees only the successor's transaction")
            .containsExactlyInAnyOrderElementsOf(values("successor-", 4));
    }

    @Test
    void aTransactionOpenPastItsTimeoutIsAbortedAndTheLastStableOffsetAdvances() throws Exception {
        List<TopicPartition> partitions = createTopic("txn-timeout", 2);
        TopicPartition first = partitions.get(0);
        try (KafkaProducer<String, String> producer = producer(SERVER.bootstrap(), "hanging",
            Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 3_000))) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "txn-timeout", "hanging-", 6);
            producer.flush();
            assertThat(endOffset(SERVER.bootstrap(), "read_committed", first))
                .as("the last stable offset while the transaction is open").isZero();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(endOffset(SERVER.bootstrap(), "read_committed", first))
                    .as("the last stable offset after the timeout")
                    .isEqualTo(endOffset(SERVER.bootstrap(), "read_uncommitted", first)));
            assertThatThrownBy(producer::commitTransaction)
                .as("the commit of the producer whose transaction timed out")
                .isInstanceOf(KafkaException.class);
        }
        assertThat(readAll(SERVER.bootstrap(), "read_committed", partitions)).as("read_committed after the abort")
            .isEmpty();
        TransactionDescription description = SERVER.admin().describeTransactions(List.of("hanging"))
            .description("hanging").get();
        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_ABORT);
        assertThat(description.producerEpoch()).as("the epoch bumped by the timeout's fence").isPositive();
    }
}
