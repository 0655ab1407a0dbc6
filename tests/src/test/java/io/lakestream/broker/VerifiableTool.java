package io.lakestream.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One of Kafka's verifiable clients (org.apache.kafka.tools.VerifiableProducer or
 * VerifiableConsumer) in its own JVM, with the JSON events it prints collected in order.
 * {@link #stop} is SIGTERM, on which the tool closes its client cleanly (a consumer leaves
 * its group); {@link #close} also kills it if it does not exit.
 */
final class VerifiableTool implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Process process;
    private final Path stderr;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private VerifiableTool(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::readEvents, name + "-events");
        reader.setDaemon(true);
    }

    /** Starts {@code mainClass} with {@code args}; its stderr goes to {@code dir/name.stderr}. */
    static VerifiableTool start(String name, Path dir, String mainClass, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Path stderr = dir.resolve(name + ".stderr");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        VerifiableTool tool = new VerifiableTool(name, process, stderr);
        tool.reader.start();
        return tool;
    }

    private void readEvents() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("{")) {
                    events.add(JSON.readTree(line));
                }
                // Anything else is the client's own logging.
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    String name() {
        return name;
    }

    /** The events named {@code eventName} printed so far, in order. */
    List<JsonNode> events(String eventName) {
        return events.stream().filter(event -> event.path("name").asText().equals(eventName))
            .collect(Collectors.toList());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The tool's stderr, for a failure message. */
    String stderr() {
        try {
            return "\n--- " + name + " stderr ---\n" + Files.readString(stderr);
        } catch (IOException e) {
            return "\n(" + name + " stderr unreadable: " + e + ")";
        }
    }

    /**
     * SIGTERM; waits for the tool to exit and for every event it printed to be read, and returns
     * whether it exited. Through the process handle: {@link Process#destroy} would also close our
     * end of its output, losing what it prints while it shuts down (its last commits included).
     */
    boolean stop() throws InterruptedException {
        process.toHandle().destroy();
        return waitFor(60);
    }

    /** SIGKILL, as in a crash: the tool gets no chance to close its clients. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(30));
    }

    /** Waits for the tool to exit, then for its last events to be read; returns whether it exited. */
    boolean waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return false;
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stop()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
