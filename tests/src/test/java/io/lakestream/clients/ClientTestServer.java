package io.lakestream.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.LakestreamProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The real server process for one test class, with the Java Admin and consumer as the
 * reference client: topics a client cannot create itself are made here, and what a client
 * cannot read back (kafkajs without consumer groups) is read here.
 */
final class ClientTestServer implements AutoCloseable {
    private final LakestreamProcess process;
    private final Admin admin;

    private ClientTestServer(LakestreamProcess process) {
        this.process = process;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, process.bootstrap()));
    }

    static ClientTestServer start(Path dir) throws Exception {
        return new ClientTestServer(LakestreamProcess.start(dir.resolve("data"), 0, 0));
    }

    String bootstrap() {
        return process.bootstrap();
    }

    int port() {
        return process.port();
    }

    /** The server's log, to append to a failure message. */
    String log() {
        return process.outputForFailure();
    }

    void createTopic(String name, int partitions) throws ExecutionException, InterruptedException {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }

    /** Sends {@code values} to partition 0 of {@code topic} with the Java producer, in batches of {@code codec}. */
    void produceWithJava(String topic, String codec, List<String> values) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, process.bootstrap());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
            new StringSerializer())) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String value : values) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, null, value)));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }
    }

    /**
     * Every record of {@code topic} from the beginning, read with the Java consumer by partition
     * assignment until {@code expected} have arrived or 30 s have passed, sorted by partition
     * and offset.
     */
    List<ConsumerRecord<String, String>> consumeWithJava(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, process.bootstrap());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        records.sort(Comparator.<ConsumerRecord<String, String>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    @Override
    public void close() throws Exception {
        admin.close();
        assertThat(process.stop()).as("exit status after SIGTERM").isIn(0, 143);
    }
}
