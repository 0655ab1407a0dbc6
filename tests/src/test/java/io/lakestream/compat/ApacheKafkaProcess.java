package io.lakestream.compat;

import io.lakestream.broker.LakestreamProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * The real Apache Kafka broker of our kafka-clients release (kafka_2.13 from the test
 * classpath), run as a single combined KRaft node ({@code process.roles=broker,controller})
 * in a child JVM on free loopback ports, with its log dir under a directory the caller owns.
 * It is the reference the {@code io.lakestream.compat} tests compare Lakestream with.
 *
 * <p>The storage dir is formatted first with {@code kafka.tools.StorageTool format} (a static
 * voter set, so no {@code --standalone}); then {@code kafka.Kafka} runs until it logs
 * "Kafka Server started", which its broker does only once the controller has unfenced it,
 * so topics can be created right away. {@link #stop()} sends SIGTERM to that process's PID.
 * The settings Kafka needs for one node (internal topics with one replica) are given;
 * everything else is Kafka's default unless the caller overrides it.
 */
public final class ApacheKafkaProcess implements AutoCloseable {
    private static final String READY_LINE = "Kafka Server started";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The node id, as Lakestream's default, so that leader and replica ids compare equal. */
    public static final int NODE_ID = 1;

    private final Process process;
    private final Path log;
    private final int port;
    private Admin admin;

    private ApacheKafkaProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Formats {@code dir}/logs and starts Kafka on it with {@code overrides} (key=value) on
     * top of the single-node settings; waits until it serves clients.
     */
    public static ApacheKafkaProcess start(Path dir, String... overrides) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", String.valueOf(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("log.dirs", dir.resolve("logs").toString());
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        for (String override : overrides) {
            int eq = override.indexOf('=');
            config.put(override.substring(0, eq), override.substring(eq + 1));
        }
        StringBuilder properties = new StringBuilder();
        config.forEach((key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, properties);
        Path log4j = dir.resolve("log4j2.xml");
        Files.writeString(log4j, LOG4J_CONFIG);
        Path log = dir.resolve("kafka.log");

        Process format = new ProcessBuilder(java(log4j, "kafka.tools.StorageTool", "format",
            "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        if (!format.waitFor(60, TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka.tools.StorageTool format did not finish within 60 s:\n" + read(log));
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("kafka.tools.StorageTool format exited with " + format.exitValue()
                + ":\n" + read(log));
        }
        Process process = new ProcessBuilder(java(log4j, "kafka.Kafka", serverProperties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        ApacheKafkaProcess kafka = new ApacheKafkaProcess(process, log, port);
        try {
            kafka.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Not handed to the caller, so nobody else would stop it.
            kafka.kill();
            throw e;
        }
        return kafka;
    }

    /** A child JVM with the test classpath (which holds kafka_2.13 and its dependencies). */
    private static List<String> java(Path log4j, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx512m", "-XX:+UseSerialGC",
            "-Dlog4j2.configurationFile=" + log4j.toUri(),
            "-cp", System.getProperty("java.class.path"),
            mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apache Kafka exited with " + process.exitValue() + ":\n" + output());
            }
            if (output().contains(READY_LINE)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Apache Kafka did not start within " + START_TIMEOUT + ":\n" + output());
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** An Admin client of this broker, made on first use and closed when it stops. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
        }
        return admin;
    }

    public String output() throws IOException {
        return read(log);
    }

    /** The broker's log, for a failure message. */
    public String outputForFailure() {
        try {
            return "\n--- Apache Kafka log ---\n" + output();
        } catch (IOException e) {
            return "\n(Apache Kafka log unreadable: " + e + ")";
        }
    }

    /** SIGTERM to the broker's PID (a controlled shutdown), SIGKILL if it is still running after 60 s; the exit status. */
    public int stop() throws InterruptedException {
        closeAdmin();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /** SIGKILL. */
    public void kill() throws InterruptedException {
        closeAdmin();
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        } else {
            closeAdmin();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Warnings and errors only, plus the start line that {@link #awaitReady()} waits for. */
    private static final String LOG4J_CONFIG = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Configuration status="WARN">
          <Appenders>
            <Console name="console" target="SYSTEM_OUT">
              <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c{1} - %msg%n"/>
            </Console>
          </Appenders>
          <Loggers>
            <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>
            <Root level="WARN">
              <AppenderRef ref="console"/>
            </Root>
          </Loggers>
        </Configuration>
        """;
}
