package io.lakestream.compat;

import io.lakestream.broker.KafkaWire;
import io.lakestream.broker.LakestreamProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Apache Kafka ({@link ApacheKafkaProcess}) and Lakestream ({@link LakestreamProcess}) for one
 * test class ({@code @RegisterExtension static}), started together before its tests, each on
 * its own temporary directory, and stopped after them. {@link #assertSame} runs one scenario
 * against both and fails if Lakestream's observable result differs from Kafka's.
 *
 * <p>Both servers get the same {@code sharedOverrides} (broker keys both understand, such as
 * {@code auto.create.topics.enable}); a scenario uses the same topic names on both, and names
 * of its own, so the tests of a class do not see each other's topics.
 */
public final class SideBySide implements BeforeAllCallback, AfterAllCallback {
    private final String[] sharedOverrides;
    private Path dir;
    private ApacheKafkaProcess kafka;
    private LakestreamProcess lakestream;
    private Server kafkaServer;
    private Server lakestreamServer;

    public SideBySide(String... sharedOverrides) {
        this.sharedOverrides = sharedOverrides.clone();
    }

    /** One of the two servers, as a scenario sees it. */
    public interface Server {
        /** "Apache Kafka" or "Lakestream", for messages. */
        String name();

        String bootstrap();

        /** The server's Admin client, closed with the server. */
        Admin admin();

        /** A new raw connection; the caller closes it. */
        default KafkaWire connect() throws IOException {
            String bootstrap = bootstrap();
            int colon = bootstrap.lastIndexOf(':');
            return new KafkaWire(bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1)));
        }

        /** A producer of byte arrays with acks=all and {@code settings}; the caller closes it. */
        default KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
            Map<String, Object> props = new HashMap<>(settings);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
            props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
            return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }

        /** The server's log, for a failure message. */
        String log();
    }

    /** A scenario: what it observes on one server. Its result must have a meaningful {@code equals}. */
    @FunctionalInterface
    public interface Scenario<T> {
        T run(Server server) throws Exception;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("compat-" + context.getRequiredTestClass().getSimpleName());
        // Kafka formats and starts in its own thread while Lakestream starts in this one.
        CompletableFuture<ApacheKafkaProcess> startingKafka = CompletableFuture.supplyAsync(() -> {
            try {
                return ApacheKafkaProcess.start(dir.resolve("kafka"), sharedOverrides);
            } catch (IOException e) {
                throw new CompletionException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        });
        try {
            lakestream = LakestreamProcess.start(dir.resolve("lakestream"), 0, 0, sharedOverrides);
        } finally {
            try {
                kafka = startingKafka.join();
            } catch (CompletionException e) {
                if (lakestream != null) {
                    lakestream.kill();
                }
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        kafkaServer = new ServerView("Apache Kafka", kafka.bootstrap(), kafka::admin, kafka::outputForFailure);
        lakestreamServer = new ServerView("Lakestream", lakestream.bootstrap(), lakestream::admin,
            lakestream::outputForFailure);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (kafka != null) {
                kafka.stop();
            }
        } finally {
            try {
                if (lakestream != null) {
                    lakestream.stopCleanly();
                }
            } finally {
                Utils.delete(dir.toFile());
            }
        }
    }

    public Server kafka() {
        return kafkaServer;
    }

    public Server lakestream() {
        return lakestreamServer;
    }

    /**
     * Runs {@code scenario} on Apache Kafka, then on Lakestream, and fails unless both results
     * are equal. Returns Kafka's result, so the test can also check that the scenario did what
     * it meant to (a scenario that went wrong the same way on both would otherwise pass).
     */
    public <T> T assertSame(String description, Scenario<T> scenario) throws Exception {
        T expected = run(kafkaServer, description, scenario);
        T actual = run(lakestreamServer, description, scenario);
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(description + ": Lakestream differs from Apache Kafka:\n  "
                + String.join("\n  ", JsonDiff.between(expected, actual)));
        }
        return expected;
    }

    /** A scenario with a case: what it observes on one server for {@code c}. */
    @FunctionalInterface
    public interface CaseScenario<C, T> {
        T run(Server server, C c) throws Exception;
    }

    /**
     * {@link #assertSame} for each of {@code cases} (by name, in order), reporting every case
     * where Lakestream differs at once rather than only the first. Returns Kafka's results by
     * case name.
     */
    public <C, T> Map<String, T> assertSameForEach(Map<String, C> cases, CaseScenario<C, T> scenario)
        throws Exception {
        Map<String, T> expected = new LinkedHashMap<>();
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, C> c : cases.entrySet()) {
            T kafkaResult = run(kafkaServer, c.getKey(), server -> scenario.run(server, c.getValue()));
            T lakestreamResult = run(lakestreamServer, c.getKey(), server -> scenario.run(server, c.getValue()));
            expected.put(c.getKey(), kafkaResult);
            if (!Objects.equals(kafkaResult, lakestreamResult)) {
                differences.add(c.getKey() + ":\n  " + String.join("\n  ",
                    JsonDiff.between(kafkaResult, lakestreamResult)));
            }
        }
        if (!differences.isEmpty()) {
            throw new AssertionError("Lakestream differs from Apache Kafka in " + differences.size() + " of "
                + cases.size() + " cases:\n" + String.join("\n", differences));
        }
        return expected;
    }

    private static <T> T run(Server server, String description, Scenario<T> scenario) throws Exception {
        try {
            return scenario.run(server);
        } catch (Exception | AssertionError e) {
            throw new AssertionError(description + " failed on " + server.name() + ": " + e + server.log(), e);
        }
    }

    private record ServerView(String name, String bootstrap, java.util.function.Supplier<Admin> admins,
                              java.util.function.Supplier<String> logs) implements Server {
        @Override
        public Admin admin() {
            return admins.get();
        }

        @Override
        public String log() {
            return logs.get();
        }
    }
}
