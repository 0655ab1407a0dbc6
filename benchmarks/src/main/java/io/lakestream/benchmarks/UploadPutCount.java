package io.lakestream.benchmarks;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * S3 PUTs per GB written, with 1, 100 and 1,000 streams, at the default upload settings
 * (500 ms or 32 MiB, stream objects from 8 MiB). Counts the PUT requests the S3 client really
 * sent to an S3 server (s3proxy on loopback), including multipart parts. The target is the
 * same count, within 10%, for 1 and 1,000 streams.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.lakestream.benchmarks.UploadPutCount [MiB]}
 */
public final class UploadPutCount {
    private static final int BATCH_BYTES = 16 << 10;

    public static void main(String[] args) throws Exception {
        long totalBytes = (args.length > 0 ? Long.parseLong(args[0]) : 512) << 20;
        System.out.printf("%-8s %10s %8s %9s %12s %10s%n", "streams", "MiB", "objects", "PUT reqs", "PUTs per GB",
            "seconds");
        for (int streams : new int[] {1, 100, 1000}) {
            run(streams, totalBytes);
        }
    }

    private static void run(int streamCount, long totalBytes) throws Exception {
        Path dir = BenchmarkDirs.create("upload");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (S3ProxyServer s3 = S3ProxyServer.start();
             S3ObjectStorage storage = new S3ObjectStorage(s3.config(), registry)) {
            BlockWal wal = BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 512L << 20).build());
            StreamStore store = new StreamStore(StreamStoreConfig.defaults(1), wal, storage,
                new InMemoryStreamMetadata(), registry);
            store.start().join();
            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < streamCount; i++) {
                streams.add(store.openStream(store.createStream().join()).join());
            }
            byte[] payload = new byte[BATCH_BYTES];
            ThreadLocalRandom.current().nextBytes(payload);
            long start = System.nanoTime();
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (long written = 0, i = 0; written < totalBytes; written += BATCH_BYTES, i++) {
                Stream stream = streams.get((int) (i % streamCount));
                inFlight.add(stream.append(stream.nextOffset(), 16, ByteBuffer.wrap(payload)));
                if (inFlight.size() == 64) {
                    CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
                    inFlight.clear();
                }
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
            store.close();
            double seconds = (System.nanoTime() - start) / 1e9;
            long objects = count(registry, "put") + count(registry, "multipart");
            // A multipart upload costs a create, its parts and a complete request.
            long partSize = s3.config().multipartPartSize();
            long parts = (long) Math.ceil(bytes(registry, "multipart") / partSize);
            long requests = count(registry, "put") + 2 * count(registry, "multipart") + parts;
            double perGb = requests * (double) (1L << 30) / totalBytes;
            System.out.printf("%-8d %10d %8d %9d %12.1f %10.1f%n", streamCount, totalBytes >> 20, objects, requests,
                perGb, seconds);
        } finally {
            BenchmarkDirs.delete(dir);
        }
    }

    private static double bytes(SimpleMeterRegistry registry, String kind) {
        return registry.find("lakestream.s3.request.bytes").tag("kind", kind).summaries().stream()
            .mapToDouble(DistributionSummary::totalAmount).sum();
    }

    private static long count(SimpleMeterRegistry registry, String kind) {
        return registry.find("lakestream.s3.request").tag("kind", kind).timers().stream()
            .mapToLong(Timer::count).sum();
    }
}
