package io.lakestream.wal.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a JVM that appends to a {@link BlockWal} with SIGKILL at random moments, and checks
 * that recovery returns every acknowledged record exactly.
 */
class BlockWalCrashTest {

    private static final int ROUNDS = 5;
    private static final long CAPACITY = 512 * 1024;
    private static final int MAX_BATCH_BYTES = 64 * 1024;
    private static final int APPENDER_THREADS = 6;
    /** Kill at the latest this long after the child starts, however few lines it printed. */
    private static final long ROUND_TIME_LIMIT_MS = 5_000;

    @TempDir
    Path directory;

    /** What the child printed before it died. */
    private static final class Acknowledged {
        final Map<Long, Long> seedByPosition = new TreeMap<>();
        long lastCompletedTrim;
        long lastRequestedTrim;
        int lines;
    }

    @Test
    void recoveredRecordsMatchAcknowledgedAfterSigkill() throws Exception {
        long testSeed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(testSeed);
        int acknowledgedAppends = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Path path = directory.resolve("wal-" + round);
            int killAfterLines = random.nextInt(200, 6000);
            Acknowledged acknowledged = runAndKill(path, random.nextLong(), killAfterLines);
            String context = "round " + round + " (test seed " + testSeed + ", killed after "
                    + acknowledged.lines + " lines)";
            checkRecovery(path, acknowledged, context);
            acknowledgedAppends += acknowledged.seedByPosition.size();
        }
        // A starved machine may kill a child before its first append; not all of them.
        assertThat(acknowledgedAppends).as("appends acknowledged over %d rounds", ROUNDS).isPositive();
    }

    private Acknowledged runAndKill(Path path, long seed, int killAfterLines) throws Exception {
        Path stderr = path.resolveSibling(path.getFileName() + ".stderr");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                CrashingAppender.class.getName(),
                path.toString(), Long.toString(CAPACITY), Integer.toString(MAX_BATCH_BYTES),
                Integer.toString(APPENDER_THREADS), Long.toString(seed))
                .redirectError(stderr.toFile())
                .start();
        // SIGKILL through the handle: Process.destroyForcibly would also close the pipe that
        // still holds the last lines the child printed.
        ProcessHandle handle = child.toHandle();
        CompletableFuture.delayedExecutor(ROUND_TIME_LIMIT_MS, TimeUnit.MILLISECONDS).execute(handle::destroyForcibly);
        Acknowledged acknowledged = new Acknowledged();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            // Lines printed before the kill are acknowledged too, so read to the end.
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (++acknowledged.lines == killAfterLines) {
                    handle.destroyForcibly();
                }
                parse(line, acknowledged, stderr);
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited after SIGKILL").isTrue();
        assertThat(child.exitValue()).as("exit status of the child (137 is SIGKILL); stderr: %s",
                Files.readString(stderr)).isEqualTo(137);
        return acknowledged;
    }

    private static void parse(String line, Acknowledged acknowledged, Path stderr) throws IOException {
        String[] fields = line.split(" ");
        switch (fields[0]) {
            case "A" -> acknowledged.seedByPosition.put(Long.parseLong(fields[1]), Long.parseLong(fields[2]));
            case "t" -> acknowledged.lastRequestedTrim =
                    Math.max(acknowledged.lastRequestedTrim, Long.parseLong(fields[1]));
            case "T" -> acknowledged.lastCompletedTrim =
                    Math.max(acknowledged.lastCompletedTrim, Long.parseLong(fields[1]));
            default -> fail("child failed: %s; stderr: %s", line, Files.readString(stderr));
        }
    }

    /**
     * The durable trim point lies between the last completed trim and the last requested
     * one, so every acknowledged record from the first recovered record, or from the last
     * requested trim, on must come back; every recovered record must be intact, whether or
     * not its acknowledgement was printed before the kill.
     */
    private static void checkRecovery(Path path, Acknowledged acknowledged, String context) throws IOException {
        List<WalRecord> recovered = new ArrayList<>();
        BlockWalConfig config = BlockWalConfig.builder(path, CAPACITY).maxBatchBytes(MAX_BATCH_BYTES).build();
        try (BlockWal wal = BlockWal.open(config)) {
            wal.recover().forEachRemaining(recovered::add);

            Map<Long, Long> recoveredSeeds = new TreeMap<>();
            for (WalRecord record : recovered) {
                long seed = record.payload().getLong(0);
                byte[] bytes = new byte[record.payload().remaining()];
                record.payload().duplicate().get(bytes);
                assertThat(Arrays.equals(bytes, CrashingAppender.content(seed)))
                        .as("content of the record recovered at %d in %s", record.position(), context).isTrue();
                recoveredSeeds.put(record.position(), seed);
            }
            long mustRecoverFrom = recovered.isEmpty()
                    ? acknowledged.lastRequestedTrim
                    : Math.min(acknowledged.lastRequestedTrim, recovered.get(0).position());
            if (!recovered.isEmpty()) {
                assertThat(recovered.get(0).position()).as("first recovered position in %s", context)
                        .isGreaterThanOrEqualTo(acknowledged.lastCompletedTrim);
            }
            Map<Long, Long> mustRecover = new TreeMap<>(acknowledged.seedByPosition);
            mustRecover.keySet().removeIf(position -> position < mustRecoverFrom);
            assertThat(recoveredSeeds).as("recovered records (position -> seed) in %s", context)
                    .containsAllEntriesOf(mustRecover);

            long end = recovered.isEmpty() ? acknowledged.lastCompletedTrim
                    : recovered.get(recovered.size() - 1).nextPosition();
            // The child may have left the log full: keep only the last record, and append after it.
            if (!recovered.isEmpty()) {
                wal.trim(recovered.get(recovered.size() - 1).position()).join();
            }
            long next = wal.append(ByteBuffer.wrap(CrashingAppender.content(1))).join().position();
            assertThat(next).as("position of the first append after recovery in %s", context)
                    .isGreaterThanOrEqualTo(end);
        }
        if (!recovered.isEmpty()) {
            try (BlockWal wal = BlockWal.open(config)) {
                List<Long> positions = new ArrayList<>();
                wal.recover().forEachRemaining(record -> positions.add(record.position()));
                assertThat(positions).as("recovered after the append in %s", context).hasSize(2)
                        .startsWith(recovered.get(recovered.size() - 1).position());
            }
        }
    }
}
