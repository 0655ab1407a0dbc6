package io.lakestream.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One member of a consumer group: a Java consumer on its own thread that subscribes to a topic,
 * polls, and commits synchronously after every poll that returned records (so what it consumed
 * is what it committed). {@link #close} leaves the group. The loop ends by itself after five
 * minutes, so a failed test leaves nothing running.
 */
final class GroupMember implements AutoCloseable {
    private static final long MAX_RUN_MILLIS = TimeUnit.MINUTES.toMillis(5);

    private final String name;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final List<String> values = new CopyOnWriteArrayList<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    /** @param protocol the consumer's group.protocol: "classic" or "consumer" */
    GroupMember(String name, String bootstrap, String group, String protocol, String topic) {
        this.name = name;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        if (protocol.equals("classic")) {
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        }
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.thread = new Thread(() -> run(topic), "group-member-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String topic) {
        long deadline = System.currentTimeMillis() + MAX_RUN_MILLIS;
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned.addAll(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }
            });
            while (running && System.currentTimeMillis() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> record : records) {
                    values.add(record.value());
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (Throwable t) {
            failures.add(t);
        } finally {
            consumer.close(Duration.ofSeconds(30));
        }
    }

    String name() {
        return name;
    }

    /** Every value this member polled, in order; a value polled twice appears twice. */
    List<String> values() {
        return new ArrayList<>(values);
    }

    Set<TopicPartition> assignment() {
        return Set.copyOf(assigned);
    }

    /** What the member's thread failed with, if anything. */
    List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** Stops polling, commits nothing more, and leaves the group; returns when the consumer has closed. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(60));
    }
}
