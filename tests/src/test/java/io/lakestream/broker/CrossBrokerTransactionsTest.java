package io.lakestream.broker;

import static io.lakestream.broker.TransactionalClients.endOffset;
import static io.lakestream.broker.TransactionalClients.producer;
import static io.lakestream.broker.TransactionalClients.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions whose partitions are led by different brokers of one cluster: the coordinator
 * sends WriteTxnMarkers to the other broker, as Kafka's does, so read_committed consumers see
 * exactly the committed transactions on every partition, whichever broker coordinates, and
 * offsets sent with a transaction are committed only with it.
 */
class CrossBrokerTransactionsTest {
    private static final String TOPIC = "spread";
    private static final int PARTITIONS = 4;
    private static final int STATE_PARTITIONS = 2;
    /** The partition whose consumed offsets the transactions commit, as a copier's would. */
    private static final TopicPartition INPUT = new TopicPartition("input", 0);

    @TempDir
    Path dir;
    private final List<LakestreamProcess> brokers = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (LakestreamProcess broker : brokers) {
            broker.close();
        }
    }

    @Test
    void transactionsSpanningTwoBrokersCommitAndAbortOnEveryPartition() throws Exception {
        int controllerPort = LakestreamProcess.freePort();
        String objects = "object.store.local.dir=" + dir.resolve("objects");
        String[] shared = {objects, "transaction.state.log.num.partitions=" + STATE_PARTITIONS,
            "offsets.topic.num.partitions=" + STATE_PARTITIONS};
        brokers.add(LakestreamProcess.start(dir.resolve("data-1"), 0, controllerPort, shared));
        brokers.add(LakestreamProcess.start(dir.resolve("data-2"), 0, controllerPort,
            concat(shared, "process.roles=broker", "node.id=2")));
        String bootstrap = brokers.get(0).bootstrap() + "," + brokers.get(1).bootstrap();
        Admin admin = brokers.get(0).admin();
        await("both brokers registered").atMost(Duration.ofSeconds(60))
            .until(() -> admin.describeCluster().nodes().get().size() == 2);
        admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1), new NewTopic(INPUT.topic(), 1, (short) 1)))
            .all().get(60, TimeUnit.SECONDS);
        // As Kafka's own tests wait for a new topic: the broker asked may not have it in its image yet.
        await("leaders of " + TOPIC).atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .untilAsserted(() -> assertThat(leaders(admin, TOPIC)).containsExactlyInAnyOrder(1, 2));
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
            .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();

        // One transactional id per partition of __transaction_state, so that each broker coordinates one.
        List<String> expected = new ArrayList<>();
        List<String> everything = new ArrayList<>();
        for (String transactionalId : idsCoveringEveryStatePartition()) {
            KafkaProducer<String, String> producer = producer(bootstrap, transactionalId, Map.of());
            try {
                producer.initTransactions();
                producer.beginTransaction();
                List<String> committed = send(producer, transactionalId + "-committed-");
                producer.sendOffsetsToTransaction(Map.of(INPUT, new OffsetAndMetadata(10)),
                    new ConsumerGroupMetadata(transactionalId + "-group"));
                producer.commitTransaction();
                expected.addAll(committed);
                everything.addAll(committed);

                producer.beginTransaction();
                everything.addAll(send(producer, transactionalId + "-aborted-"));
                producer.sendOffsetsToTransaction(Map.of(INPUT, new OffsetAndMetadata(20)),
                    new ConsumerGroupMetadata(transactionalId + "-group"));
                producer.flush();
                producer.abortTransaction();
            } finally {
                // Bounded: a producer stuck retrying would otherwise hide the failure by never closing.
                producer.close(Duration.ofSeconds(10));
            }
            assertThat(admin.listConsumerGroupOffsets(transactionalId + "-group").partitionsToOffsetAndMetadata()
                    .get().get(INPUT).offset())
                .as("offset of " + transactionalId + "-group: committed with the first transaction, not the aborted one")
                .isEqualTo(10);
        }
        assertThat(coordinators(admin)).as("brokers coordinating the transactions").containsExactlyInAnyOrder(1, 2);
        assertThat(leaders(admin, Topic.GROUP_METADATA_TOPIC_NAME)).as("leaders of the offsets topic")
            .containsExactlyInAnyOrder(1, 2);

        assertThat(readAll(bootstrap, "read_committed", partitions)).as("read_committed"
                + brokers.get(0).outputForFailure() + brokers.get(1).outputForFailure())
            .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(readAll(bootstrap, "read_uncommitted", partitions)).as("read_uncommitted")
            .containsExactlyInAnyOrderElementsOf(everything);
        for (TopicPartition tp : partitions) {
            assertThat(endOffset(bootstrap, "read_committed", tp)).as("last stable offset of " + tp
                    + ": every transaction ended, so no marker is missing")
                .isEqualTo(endOffset(bootstrap, "read_uncommitted", tp));
        }

        // Some transaction has several partitions led by the broker that does not coordinate it.
        double requests = 0;
        double partitionsSent = 0;
        for (LakestreamProcess broker : brokers) {
            requests += broker.metric("lakestream_broker_transactions_marker_request_partitions_count");
            partitionsSent += broker.metric("lakestream_broker_transactions_marker_request_partitions_sum");
        }
        assertThat(requests).as("WriteTxnMarkers requests sent between the brokers").isPositive();
        assertThat(partitionsSent).as("partitions those requests named: more than one per request, as markers for"
            + " one broker share a request").isGreaterThan(requests);
    }

    /** Five records to each partition; returns their values. */
    private static List<String> send(KafkaProducer<String, String> producer, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < PARTITIONS * 5; i++) {
            String value = prefix + i;
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, value));
            values.add(value);
        }
        return values;
    }

    /** Transactional ids that Kafka's hashing places on each partition of __transaction_state once. */
    private static List<String> idsCoveringEveryStatePartition() {
        List<String> ids = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; covered.size() < STATE_PARTITIONS; i++) {
            String id = "cross-" + i;
            if (covered.add(Utils.abs(id.hashCode()) % STATE_PARTITIONS)) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static Set<Integer> leaders(Admin admin, String topic) throws Exception {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Set<Integer> leaders = new HashSet<>();
        for (TopicPartitionInfo partition : description.partitions()) {
            leaders.add(partition.leader().id());
        }
        return leaders;
    }

    private static Set<Integer> coordinators(Admin admin) throws Exception {
        Set<Integer> coordinators = new HashSet<>();
        for (String id : idsCoveringEveryStatePartition()) {
            coordinators.add(admin.describeTransactions(List.of(id)).description(id).get().coordinatorId());
        }
        return coordinators;
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
