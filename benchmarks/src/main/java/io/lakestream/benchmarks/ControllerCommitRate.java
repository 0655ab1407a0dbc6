package io.lakestream.benchmarks;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.raft.ControllerCluster;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.lakestream.benchmarks.ControllerCommitRate [seconds] [writers]}
 */
public final class ControllerCommitRate {
    private static final int STREAMS = 1_000;
    private static final int NODE = 1;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        System.out.printf("%-7s %8s %10s %9s %9s %9s%n", "voters", "writers", "commits/s", "p50 ms", "p99 ms",
            "max ms");
        for (int voters : new int[] {1, 3}) {
            run(voters, writers, seconds);
        }
    }

    private static void run(int voters, int writers, int seconds) throws Exception {
        Path dir = BenchmarkDirs.create("controller");
        try (ControllerCluster cluster = ControllerCluster.start(dir, voters, UnaryOperator.identity())) {
            cluster.awaitLeader();
            ControllerStreamMetadata metadata = new ControllerStreamMetadata(cluster.newClient());
            List<StreamState> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                streams.add(metadata.openStream(metadata.createStream().join(), NODE).join());
            }
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            Timer latency = Timer.builder("commit").publishPercentiles(0.5, 0.99).register(registry);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            ExecutorService threads = Executors.newFixedThreadPool(writers);
            List<CompletableFuture<Long>> loops = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                List<StreamState> owned = new ArrayList<>();
                for (int i = w; i < STREAMS; i += writers) {
                    owned.add(streams.get(i));
                }
                loops.add(CompletableFuture.supplyAsync(() -> commitLoop(metadata, owned, latency, deadline), threads));
            }
            long commits = loops.stream().mapToLong(CompletableFuture::join).sum();
            threads.shutdown();
            double p50 = percentile(latency, 0.5);
            double p99 = percentile(latency, 0.99);
            System.out.printf("%-7d %8d %10.0f %9.2f %9.2f %9.2f%n", voters, writers, commits / (double) seconds, p50,
                p99, latency.max(TimeUnit.MILLISECONDS));
        } finally {
            BenchmarkDirs.delete(dir);
        }
    }

    /** One writer: commits one object after another until the deadline; returns how many. */
    private static long commitLoop(ControllerStreamMetadata metadata, List<StreamState> streams, Timer latency,
                                   long deadline) {
        long[] ends = new long[streams.size()];
        long nextId = 0;
        long lastId = -1;
        long commits = 0;
        while (System.nanoTime() < deadline) {
            if (nextId > lastId) {
                nextId = metadata.prepareObjects(1_000, TimeUnit.MINUTES.toMillis(10)).join();
                lastId = nextId + 999;
            }
            int i = (int) (commits % streams.size());
            StreamState stream = streams.get(i);
            long start = System.nanoTime();
            metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(nextId++, NODE, 1024,
                List.of(new StreamOffsetRange(stream.streamId(), stream.epoch(), ends[i], ends[i] + 10)), List.of(),
                List.of())).join();
            latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            ends[i] += 10;
            commits++;
        }
        return commits;
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
