package io.lakestream.benchmarks;

import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.raft.ControllerCluster;
import io.lakestream.controller.raft.ControllerQuorum;
import io.lakestream.controller.raft.ControllerServerConfig;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Object commits per second and commit latency on a real controller (Ratis over gRPC on
 * loopback, RocksDB state), with 1,000 streams, on one voter and on three.
 *
 * <p>Each of {@code writers} concurrent writers owns a share of the streams and, in a loop,
 * commits a stream-set object that extends one of its streams by 10 offsets, as a broker's
 * uploader does. Object ids are prepared in blocks of 1,000 beforehand, as a broker
 * prepares ids for a whole upload at once, so the figure counts commits only.
 *
 * <p>The writers run 5 s ({@code -Dbench.warmupSeconds}) unmeasured first. The figures include the
 * process's CPU time per commit; {@code -Dbench.threadCpu=true} also prints it per thread kind.
 *
 * <p>{@code -Dbench.appendBatchMillis=N} overrides the leader's appender wait.
 *
 * <p>{@code -Dbench.quorum=1@host:port,2@host:port,...} (and {@code -Dbench.clusterId}, the
 * voters' {@code cluster.id}) measures a quorum of controller processes started elsewhere
 * instead of voters in this JVM, as {@code benchmarks/controller-quorum.sh} does; the CPU
 * figure is then this client process's alone.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.lakestream.benchmarks.ControllerCommitRate [seconds] [writers] [voter counts, e.g. 1,3]}
 */
public final class ControllerCommitRate {
    private static final int STREAMS = 1_000;
    private static final int NODE = 1;
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmupSeconds", 5);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        System.out.printf("%-7s %8s %10s %9s %9s %9s %12s%n", "voters", "writers", "commits/s", "p50 ms", "p99 ms",
            "max ms", "cpu us/commit");
        String externalQuorum = System.getProperty("bench.quorum");
        if (externalQuorum != null) {
            ControllerQuorum quorum = externalQuorum(externalQuorum,
                System.getProperty("bench.clusterId", "lakestream-local-cluster-0001"));
            try (ControllerClient client = new ControllerClient(quorum)) {
                measure(new ControllerStreamMetadata(client), quorum.voters().size(), writers, seconds);
            }
            return;
        }
        String[] voterCounts = (args.length > 2 ? args[2] : "1,3").split(",");
        for (String voters : voterCounts) {
            run(Integer.parseInt(voters), writers, seconds);
        }
    }

    /** Voters in this JVM. */
    private static void run(int voters, int writers, int seconds) throws Exception {
        Path dir = BenchmarkDirs.create("controller");
        Long appendBatchMillis = Long.getLong("bench.appendBatchMillis");
        UnaryOperator<ControllerServerConfig> configure = appendBatchMillis == null
            ? UnaryOperator.identity() : config -> config.withAppendBatchMillis(appendBatchMillis);
        try (ControllerCluster cluster = ControllerCluster.start(dir, voters, configure)) {
            cluster.awaitLeader();
            measure(new ControllerStreamMetadata(cluster.newClient()), voters, writers, seconds);
        } finally {
            BenchmarkDirs.delete(dir);
        }
    }

    /** The voters as {@code controller.quorum.voters} names them; the cluster id as {@code cluster.id}. */
    private static ControllerQuorum externalQuorum(String voters, String clusterId) {
        List<ControllerQuorum.Voter> parsed = new ArrayList<>();
        for (String voter : voters.split(",")) {
            int at = voter.indexOf('@');
            parsed.add(new ControllerQuorum.Voter(voter.substring(0, at), voter.substring(at + 1)));
        }
        return new ControllerQuorum(UUID.nameUUIDFromBytes(clusterId.getBytes(StandardCharsets.UTF_8)), parsed);
    }

    /** Opens the streams, warms up, then prints one row of figures for {@code seconds} of commits. */
    private static void measure(ControllerStreamMetadata metadata, int voters, int writers, int seconds) {
        List<StreamState> streams = openStreams(metadata);
        List<Writer> owners = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            List<StreamState> owned = new ArrayList<>();
            for (int i = w; i < STREAMS; i += writers) {
                owned.add(streams.get(i));
            }
            owners.add(new Writer(metadata, owned));
        }
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Warm-up: the same load, not measured, so that the JIT has compiled the hot paths.
        commitFor(owners, threads, WARMUP_SECONDS, Timer.builder("warmup").register(registry));
        Timer latency = Timer.builder("commit").publishPercentiles(0.5, 0.99).register(registry);
        Map<String, Long> threadCpuBefore = cpuByThreadKind();
        long cpuBefore = processCpuNanos();
        long commits = commitFor(owners, threads, seconds, latency);
        double cpuMicrosPerCommit = (processCpuNanos() - cpuBefore) / 1e3 / commits;
        Map<String, Long> threadCpu = cpuByThreadKind();
        threads.shutdown();
        System.out.printf("%-7d %8d %10.0f %9.2f %9.2f %9.2f %12.0f%n", voters, writers, commits / (double) seconds,
            percentile(latency, 0.5), percentile(latency, 0.99), latency.max(TimeUnit.MILLISECONDS),
            cpuMicrosPerCommit);
        if (Boolean.getBoolean("bench.threadCpu")) {
            threadCpu.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - threadCpuBefore.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(Integer.getInteger("bench.threadCpu.top", 15))
                .forEach(e -> System.out.printf("  cpu %-60s %8.1f us/commit%n", e.getKey(),
                    e.getValue() / 1e3 / commits));
        }
    }

    /** Creates and opens the streams, 50 calls in flight at a time. */
    private static List<StreamState> openStreams(ControllerStreamMetadata metadata) {
        List<StreamState> streams = new ArrayList<>();
        for (int batch = 0; batch < STREAMS; batch += 50) {
            List<CompletableFuture<Long>> created = new ArrayList<>();
            for (int i = batch; i < Math.min(STREAMS, batch + 50); i++) {
                created.add(metadata.createStream());
            }
            List<CompletableFuture<StreamState>> opened = new ArrayList<>();
            for (CompletableFuture<Long> id : created) {
                opened.add(metadata.openStream(id.join(), NODE));
            }
            opened.forEach(stream -> streams.add(stream.join()));
        }
        return streams;
    }

    /** Runs every writer on its own thread for {@code seconds}; returns the commits made. */
    private static long commitFor(List<Writer> writers, ExecutorService threads, int seconds, Timer latency) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<CompletableFuture<Long>> loops = new ArrayList<>();
        for (Writer writer : writers) {
            loops.add(CompletableFuture.supplyAsync(() -> writer.commitUntil(deadline, latency), threads));
        }
        return loops.stream().mapToLong(CompletableFuture::join).sum();
    }

    /**
     * One writer, like one broker uploader: commits one object after another, each extending
     * the next of its streams by 10 offsets, and waits for each acknowledgement. Confined to
     * one thread at a time.
     */
    private static final class Writer {
        private final ControllerStreamMetadata metadata;
        private final List<StreamState> streams;
        private final long[] ends;
        private long nextId;
        private long lastId = -1;
        private long commits;

        Writer(ControllerStreamMetadata metadata, List<StreamState> streams) {
            this.metadata = metadata;
            this.streams = streams;
            this.ends = new long[streams.size()];
        }

        /** Commits until the deadline; returns how many. */
        long commitUntil(long deadline, Timer latency) {
            long made = 0;
            while (System.nanoTime() < deadline) {
                if (nextId > lastId) {
                    nextId = metadata.prepareObjects(1_000, TimeUnit.MINUTES.toMillis(10)).join();
                    lastId = nextId + 999;
                }
                int i = (int) (commits % streams.size());
                StreamState stream = streams.get(i);
                long start = System.nanoTime();
                metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(nextId++, NODE, 1024,
                    List.of(new StreamOffsetRange(stream.streamId(), stream.epoch(), ends[i], ends[i] + 10)),
                    List.of(), List.of())).join();
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                ends[i] += 10;
                commits++;
                made++;
            }
            return made;
        }
    }

    /**
     * CPU time of the live threads grouped by name with digits removed (threads that ended
     * during the run are missing, so the groups need not add up to the process figure).
     */
    private static Map<String, Long> cpuByThreadKind() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> byKind = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null) {
                long cpu = mx.getThreadCpuTime(info.getThreadId());
                if (cpu > 0) {
                    byKind.merge(info.getThreadName().replaceAll("(?<!^c)[0-9]+", "N"), cpu, Long::sum);
                }
            }
        }
        return byKind;
    }

    /** CPU time of this whole process: the voters, their gRPC stacks and the writers. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    private static double percentile(Timer timer, double percentile) {
        for (var value : timer.takeSnapshot().percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }
}
