package io.lakestream.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Lakestream server started the way users start it, with {@code bin/lakestream-server.sh}
 * and the shipped {@code config/server.properties}, on free ports and a temporary data
 * directory. The test that starts it stops it; {@link #kill()} is a crash (SIGKILL).
 */
public final class LakestreamProcess implements AutoCloseable {
    private static final Path HOME = Path.of(System.getProperty("lakestream.home", "..")).toAbsolutePath().normalize();

    private final Process process;
    private final Path log;
    private final int port;

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
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/lakestream-server.sh").toString(),
            HOME.resolve("config/server.properties").toString(),
            "--override", "listeners=PLAINTEXT://127.0.0.1:" + kafkaPort,
            "--override", "controller.quorum.voters=1@127.0.0.1:" + raftPort,
            "--override", "log.dir=" + dataDir,
            "--override", "metrics.http.port=0",
            "--override", "wal.capacity.bytes=268435456"));
        for (String override : overrides) {
            command.add("--override");
            command.add(override);
        }
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        LakestreamProcess server = new LakestreamProcess(process, log, kafkaPort);
        server.awaitListening(Duration.ofSeconds(90));
        return server;
    }

    private void awaitListening(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Lakestream exited with " + process.exitValue() + ":\n" + output());
            }
            if (output().contains("listening on PLAINTEXT://127.0.0.1:" + port)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Lakestream did not start within " + timeout + ":\n" + output());
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The server's log, for a failure message: what it said explains most failures seen only in CI. */
    public String logForFailureMessage() {
        try {
            return "\n--- server log ---\n" + output();
        } catch (IOException e) {
            return "\n(server log unreadable: " + e + ")";
        }
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
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
