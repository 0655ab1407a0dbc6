package io.lakestream.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Lakestream server started the way users start it, with {@code bin/lakestream-server.sh}
 * and the shipped {@code config/server.properties}, on free ports and a temporary data
 * directory. The test that starts it stops it; {@link #kill()} is a crash (SIGKILL).
 */
public final class LakestreamProcess implements AutoCloseable {
    private static final Pattern METRICS_URL = Pattern.compile("metrics on (http://\\S+/metrics)");
    private static final Path HOME = Path.of(System.getProperty("lakestream.home", "..")).toAbsolutePath().normalize();

    private final Process process;
    private final Path log;
    private final int port;
    private Admin admin;

    private LakestreamProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts a node with its data under {@code dataDir}, on {@code port} (0: a free one); waits until it serves. */
    public static LakestreamProcess start(Path dataDir, int port, int controllerPort, String... overrides)
        throws IOException, InterruptedException {
        int kafkaPort = port == 0 ? freePort() : port;
        int raftPort = controllerPort == 0 ? freePort() : controllerPort;
        return launch(dataDir, kafkaPort, "listening on PLAINTEXT://127.0.0.1:" + kafkaPort,
            "controller.quorum.voters=1@127.0.0.1:" + raftPort, overrides);
    }

    /**
     * Starts a dedicated controller ({@code process.roles=controller}), voter {@code nodeId} of
     * {@code voters} (Kafka's {@code id@host:port,...}); waits until it runs.
     */
    public static LakestreamProcess startController(Path dataDir, int nodeId, String voters)
        throws IOException, InterruptedException {
        return launch(dataDir, 0, "Lakestream node " + nodeId + " running the controller only",
            "controller.quorum.voters=" + voters, "process.roles=controller", "node.id=" + nodeId);
    }

    private static LakestreamProcess launch(Path dataDir, int kafkaPort, String readyLine, String voters,
                                            String... overrides) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/lakestream-server.sh").toString(),
            HOME.resolve("config/server.properties").toString(),
            "--override", "listeners=PLAINTEXT://127.0.0.1:" + (kafkaPort == 0 ? freePort() : kafkaPort),
            "--override", voters,
            "--override", "log.dir=" + dataDir,
            "--override", "metrics.http.port=0",
            "--override", "wal.capacity.bytes=268435456"));
        for (String override : overrides) {
            command.add("--override");
            command.add(override);
        }
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        // A restart on the same data directory appends to the same log: wait for this run's line.
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        LakestreamProcess server = new LakestreamProcess(process, log, kafkaPort);
        try {
            server.awaitLine(logStart, readyLine, Duration.ofSeconds(90));
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Not handed to the caller, so nobody else would stop it.
            server.kill();
            throw e;
        }
        return server;
    }

    private void awaitLine(long logStart, String line, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Lakestream exited with " + process.exitValue() + ":\n" + output());
            }
            if (outputSince(logStart).contains(line)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Lakestream did not start within " + timeout + ":\n" + output());
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int port() {
        return port;
    }

    /** The Prometheus scrape URL this run announced in its start line ({@code metrics.http.port=0} picks the port). */
    public URI metricsUrl() throws IOException {
        Matcher announced = METRICS_URL.matcher(output());
        String url = null;
        while (announced.find()) {
            url = announced.group(1);
        }
        if (url == null) {
            throw new IllegalStateException("The server announced no metrics endpoint:" + outputForFailure());
        }
        return URI.create(url);
    }

    /** The value of one series on this run's Prometheus page, or -1 if it is missing. */
    public double metric(String series) throws IOException, InterruptedException {
        String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metricsUrl()).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(page);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : -1;
    }

    public String output() throws IOException {
        return outputSince(0);
    }

    private String outputSince(long byteOffset) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] bytes = Files.readAllBytes(log);
        int from = (int) Math.min(byteOffset, bytes.length);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    /** The server's log, for a failure message: what it said explains most failures seen only in CI. */
    public String outputForFailure() {
        try {
            return "\n--- server log ---\n" + output();
        } catch (IOException e) {
            return "\n(server log unreadable: " + e + ")";
        }
    }

    /** An Admin client of this server, made on first use and closed when the server stops. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
        }
        return admin;
    }

    /** A producer of byte arrays to this server with acks=all and {@code settings}; the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> settings) {
        Map<String, Object> props = new HashMap<>(settings);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() throws InterruptedException {
        closeAdmin();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public int stop() throws InterruptedException {
        closeAdmin();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    /** SIGTERM, then fails unless the server shut down cleanly (exit status 0, or 143 for the signal). */
    public void stopCleanly() throws InterruptedException {
        int status = stop();
        if (status != 0 && status != 143) {
            throw new AssertionError("exit status after SIGTERM was " + status + outputForFailure());
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
