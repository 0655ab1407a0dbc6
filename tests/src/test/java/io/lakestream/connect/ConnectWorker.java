package io.lakestream.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakestream.broker.LakestreamProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect worker in distributed mode (org.apache.kafka.connect.cli.ConnectDistributed)
 * in a child JVM, on the classpath the lakestream-connect-worker module copies to its
 * target/lib; driven through its REST API. Its output goes to {@code dir/worker.log}.
 */
final class ConnectWorker implements AutoCloseable {
    private static final Path LIB = Path.of(System.getProperty("connect.worker.lib", "connect-worker/target/lib"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI rest;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConnectWorker(Process process, Path log, URI rest) {
        this.process = process;
        this.log = log;
        this.rest = rest;
    }

    /**
     * Starts a worker of group {@code groupId} on {@code bootstrap}, its internal topics named
     * after the group; {@code dir} holds its config and log.
     */
    static ConnectWorker start(String bootstrap, String groupId, Path dir) throws IOException {
        if (!Files.isDirectory(LIB)) {
            throw new IllegalStateException("No Connect worker classpath at " + LIB.toAbsolutePath()
                + "; the lakestream-connect-worker module's package phase copies it there");
        }
        int port = LakestreamProcess.freePort();
        Properties config = new Properties();
        config.putAll(Map.of(
            "bootstrap.servers", bootstrap,
            "group.id", groupId,
            "key.converter", "org.apache.kafka.connect.storage.StringConverter",
            "value.converter", "org.apache.kafka.connect.storage.StringConverter",
            "config.storage.topic", groupId + "-configs",
            "offset.storage.topic", groupId + "-offsets",
            "status.storage.topic", groupId + "-status",
            "offset.flush.interval.ms", "1000",
            "listeners", "http://127.0.0.1:" + port));
        config.putAll(Map.of(
            "config.storage.replication.factor", "1",
            "offset.storage.replication.factor", "1",
            "status.storage.replication.factor", "1",
            "offset.storage.partitions", "3",
            "status.storage.partitions", "1"));
        Path properties = dir.resolve("worker.properties");
        try (var out = Files.newBufferedWriter(properties)) {
            config.store(out, "Connect worker for a Lakestream test");
        }
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "appender.stdout.type = Console",
            "appender.stdout.name = STDOUT",
            "appender.stdout.layout.type = PatternLayout",
            "appender.stdout.layout.pattern = [%d] %p %c{1} - %m%n",
            "logger.reflections.name = org.reflections",
            "logger.reflections.level = ERROR", ""));
        Path log = dir.resolve("worker.log");
        Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-Dlog4j2.configurationFile=" + log4j.toUri(),
            "-cp", LIB.toAbsolutePath() + "/*",
            "org.apache.kafka.connect.cli.ConnectDistributed", properties.toString()))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ConnectWorker(process, log, URI.create("http://127.0.0.1:" + port));
    }

    /** PUT /connectors/{name}/config; returns the response (201 when it created the connector). */
    HttpResponse<String> putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(rest.resolve("/connectors/" + name + "/config"))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path} as JSON, or null while the worker does not answer it with 200. */
    JsonNode get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest.resolve(path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException notUpYet) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The state of a connector and of its tasks (RUNNING, FAILED with a trace, ...), or null. */
    String status(String connector) {
        JsonNode status = get("/connectors/" + connector + "/status");
        return status == null ? null : status.toString();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The worker's log, for a failure message. */
    String log() {
        try {
            String text = Files.readString(log);
            return "\n--- Connect worker log (last 20,000 chars) ---\n"
                + text.substring(Math.max(0, text.length() - 20_000));
        } catch (IOException e) {
            return "\n(Connect worker log unreadable: " + e + ")";
        }
    }

    /** SIGTERM, on which the worker stops its tasks, commits their offsets and leaves its group. */
    boolean stop() throws InterruptedException {
        process.toHandle().destroy();
        return process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
