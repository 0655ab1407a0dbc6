package io.lakestream.broker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consume-transform-produce loop, run in its own JVM by {@link ExactlyOnceCopyTest}: reads
 * the input topic read_committed, writes {@code copy:<value>} to the same partition of the
 * output topic and commits the consumed offsets in the same transaction
 * (sendOffsetsToTransaction). After each commit it prints {@code {"name":"committed","records":n}}.
 * Runs until killed.
 *
 * <p>Arguments: bootstrap input output group transactional-id partitions pause-ms-per-transaction
 * mode, where mode is {@code assign} (all input partitions, no group membership) or
 * {@code subscribe} (a member of the classic group, whose generation the offsets commit carries).
 */
public final class TransactionalCopier {
    private TransactionalCopier() {}

    public static void main(String[] args) throws InterruptedException {
        String bootstrap = args[0];
        String input = args[1];
        String output = args[2];
        String group = args[3];
        String transactionalId = args[4];
        int partitions = Integer.parseInt(args[5]);
        long pauseMillis = Long.parseLong(args[6]);
        boolean subscribe = args[7].equals("subscribe");
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25);
        // A killed member's partitions move to the next one after this long.
        consumerProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        consumerProps.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        List<TopicPartition> assigned = IntStream.range(0, partitions)
            .mapToObj(p -> new TopicPartition(input, p)).toList();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                 new StringDeserializer());
             KafkaProducer<String, String> producer = TransactionalClients.producer(bootstrap, transactionalId,
                 Map.of())) {
            if (subscribe) {
                consumer.subscribe(List.of(input));
            } else {
                consumer.assign(assigned);
            }
            producer.initTransactions();
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    producer.send(new ProducerRecord<>(output, record.partition(), record.key(),
                        "copy:" + record.value()));
                    offsets.put(new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
                }
                // Widens the window in which a kill lands inside an open transaction.
                Thread.sleep(pauseMillis);
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                System.out.println("{\"name\":\"committed\",\"records\":" + records.count() + "}");
                System.out.flush();
            }
        }
    }
}
