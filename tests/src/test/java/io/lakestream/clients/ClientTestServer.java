package io.lakestream.clients;

import io.lakestream.broker.LakestreamServerExtension;
import io.lakestream.broker.TopicReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real server process for one test class ({@code @RegisterExtension static}; a
 * {@link LakestreamServerExtension} underneath), with the Java clients as the reference:
 * topics a client cannot create itself are made here, and what a client cannot read back
 * (kafkajs without consumer groups) is read here.
 */
final class ClientTestServer implements BeforeAllCallback, AfterAllCallback {
    private final LakestreamServerExtension server = new LakestreamServerExtension();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server.beforeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.afterAll(context);
    }

    String bootstrap() {
        return server.bootstrap();
    }

    int port() {
        return server.process().port();
    }

    /** The server's log, to append to a failure message. */
    String log() {
        return server.log();
    }

    void createTopic(String name, int partitions) throws ExecutionException, InterruptedException {
        server.admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }

    /** Sends {@code values} to partition 0 of {@code topic} with the Java producer, in batches of {@code codec}. */
    void produceWithJava(String topic, String codec, List<String> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = server.process().producer(Map.of(
            ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 50))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (String value : values) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, null, value.getBytes(StandardCharsets.UTF_8))));
            }
            for (Future<RecordMetadata> send : sends) {
                send.get();
            }
        }
    }

    /**
     * Every record of {@code topic} from the beginning, read with the Java consumer until
     * {@code expected} have arrived or 30 s have passed, sorted by partition and offset.
     */
    List<ConsumerRecord<String, String>> consumeWithJava(String topic, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>(TopicReader.readFromBeginning(
            server.bootstrap(), topic, expected, new StringDeserializer(), new StringDeserializer()));
        records.sort(Comparator.<ConsumerRecord<String, String>>comparingInt(ConsumerRecord::partition)
            .thenComparingLong(ConsumerRecord::offset));
        return records;
    }
}
