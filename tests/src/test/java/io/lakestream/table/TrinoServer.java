package io.lakestream.table;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Trino (trino-server-core with the Iceberg plugin, unpacked by the tests module's build
 * into target/) in its own JVM on the Temurin 25 JDK, with one Iceberg catalog {@code lake} on
 * the given properties. Started by the test that uses it, stopped by it; its log is next to
 * its data directory.
 */
final class TrinoServer implements AutoCloseable {
    private static final Path JAVA = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final Path log;
    private final int port;

    private TrinoServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts Trino under {@code dir} with catalog {@code lake} = {@code catalog}; waits until it answers queries. */
    static TrinoServer start(Path dir, Map<String, String> catalog) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("trino.home", "target/trino/trino-server-core-476"));
        Path plugins = Path.of(System.getProperty("trino.plugins", "target/trino-plugins"));
        if (!Files.isDirectory(home.resolve("lib")) || !Files.isDirectory(plugins)) {
            throw new IllegalStateException("Trino is not unpacked at " + home + " and " + plugins
                + "; build the tests module (mvn -pl tests -am package) first");
        }
        int port = freePort();
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path catalogs = Files.createDirectories(etc.resolve("catalog"));
        Files.writeString(etc.resolve("config.properties"), String.join("\n",
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            "http-server.http.port=" + port,
            "discovery.uri=http://127.0.0.1:" + port,
            "query.max-memory=512MB",
            "query.max-memory-per-node=256MB",
            "catalog.config-dir=" + catalogs,
            "plugin.dir=" + plugins.toAbsolutePath()) + "\n");
        StringBuilder lake = new StringBuilder();
        catalog.forEach((key, value) -> lake.append(key).append('=').append(value).append('\n'));
        Files.writeString(catalogs.resolve("lake.properties"), lake);
        Path log = dir.resolve("trino.log");
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-Xmx1G", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError", "-Djdk.attach.allowAttachSelf=true", "--enable-native-access=ALL-UNNAMED",
            "-Dconfig=" + etc.resolve("config.properties"),
            "-Dnode.environment=test", "-Dnode.id=lakestream-test",
            "-Dnode.data-dir=" + Files.createDirectories(dir.resolve("data")),
            "-Dnode.bind-ip=127.0.0.1", "-Dnode.internal-address=127.0.0.1",
            "-cp", home.resolve("lib").toAbsolutePath() + "/*", "io.trino.server.TrinoServer"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start();
        TrinoServer trino = new TrinoServer(process, log, port);
        try {
            trino.awaitQueries();
        } catch (IOException | InterruptedException | RuntimeException e) {
            trino.close();
            throw e;
        }
        return trino;
    }

    /** The first query succeeds some 25 s after the start: until then, asking is the way to know. */
    private void awaitQueries() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Trino exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                if (queryLong("SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'") >= 1) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            Thread.sleep(1_000);
        }
        throw new IllegalStateException("Trino did not answer queries within " + START_TIMEOUT + " (" + last + "):\n"
            + output());
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "lakestream-test");
        return DriverManager.getConnection("jdbc:trino://127.0.0.1:" + port + "/lake", props);
    }

    /** The first column of the first row of a query, as a long. */
    long queryLong(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            if (!rows.next()) {
                throw new SQLException("No row from " + sql);
            }
            return rows.getLong(1);
        }
    }

    /** Every row of a query, each as its columns' strings. */
    List<List<String>> query(String sql) throws SQLException {
        List<List<String>> result = new ArrayList<>();
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(rows.getString(i));
                }
                result.add(row);
            }
        }
        return result;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
