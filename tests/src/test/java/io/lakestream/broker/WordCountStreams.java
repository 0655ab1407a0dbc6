package io.lakestream.broker;

import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A Kafka Streams word count with {@code exactly_once_v2}, run in its own JVM by
 * {@link KafkaStreamsWordCountTest}: splits each input line into words, re-keys by word
 * (through the repartition topic {@code <application>-words-repartition}), counts in the
 * state store {@code word-counts} (backed by the compacted changelog topic
 * {@code <application>-word-counts-changelog}) and writes every new count to the output topic. Prints {@code {"name":"state",
 * "state":...}} on each state change and {@code {"name":"error",...}} on a stream thread's
 * failure. Runs until killed.
 *
 * <p>Arguments: bootstrap application-id input output state-dir pause-ms-per-line, where the
 * pause slows processing so that a kill lands midway, in an open transaction.
 */
public final class WordCountStreams {
    private WordCountStreams() {}

    public static void main(String[] args) throws InterruptedException {
        String input = args[2];
        String output = args[3];
        long pauseMillis = Long.parseLong(args[5]);
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[1]);
        props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        // Every new count goes to the changelog and the output at once, not at the next commit
        // from a cache, so a kill between commits leaves writes that exactly-once must abort.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        // The killed instance's members leave the group, and its open transaction is aborted,
        // this long after the kill.
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 5_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 50);

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
            .peek((key, line) -> pause(pauseMillis))
            .flatMapValues(line -> Arrays.asList(line.split(" ")))
            .groupBy((key, word) -> word, Grouped.with("words", Serdes.String(), Serdes.String()))
            .count(Materialized.as("word-counts"))
            .toStream()
            .to(output, Produced.with(Serdes.String(), Serdes.Long()));

        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        CountDownLatch failed = new CountDownLatch(1);
        streams.setStateListener((now, before) -> print("{\"name\":\"state\",\"state\":\"" + now + "\"}"));
        streams.setUncaughtExceptionHandler(e -> {
            e.printStackTrace();
            print("{\"name\":\"error\",\"error\":\"" + e.getClass().getName() + "\"}");
            failed.countDown();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        failed.await();
        streams.close();
        System.exit(1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void print(String event) {
        System.out.println(event);
        System.out.flush();
    }
}
