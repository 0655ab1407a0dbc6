package io.lakestream.benchmarks;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sequential reads of one stream, 1 MiB per fetch: {@code hot} from the log cache,
 * {@code cold} from an S3 server (s3proxy on loopback) through the block cache and
 * read-ahead. The data set is four times the block cache, so a cold pass never finds the
 * previous pass's blocks. The {@code bytes} counter gives MB/s directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Threads(1)
public class StreamFetchBenchmark {
    private static final int BATCH_BYTES = 64 << 10;
    private static final int FETCH_BYTES = 1 << 20;
    private static final long DATA_BYTES = 128L << 20;

    @Param({"hot", "cold"})
    public String source;

    private Path dir;
    private S3ProxyServer s3;
    private ObjectStorage storage;
    private StreamStore store;
    private Stream stream;
    private long nextOffset;

    @Setup(Level.Trial)
    public void writeStream() throws IOException {
        dir = BenchmarkDirs.create("fetch");
        s3 = S3ProxyServer.start();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        storage = new S3ObjectStorage(s3.config(), registry);
        StreamStoreConfig config = StreamStoreConfig.builder(1)
            .uploadInterval(Duration.ofHours(1))
            .logCacheCapacityBytes(2 * DATA_BYTES)
            .blockCacheCapacityBytes(DATA_BYTES / 4)
            .build();
        BlockWal wal = BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 2 * DATA_BYTES).build());
        store = new StreamStore(config, wal, storage, new InMemoryStreamMetadata(), registry);
        store.start().join();
        stream = store.openStream(store.createStream().join()).join();
        byte[] payload = new byte[BATCH_BYTES];
        ThreadLocalRandom.current().nextBytes(payload);
        for (long written = 0; written < DATA_BYTES; written += BATCH_BYTES) {
            stream.append(stream.nextOffset(), 64, ByteBuffer.wrap(payload)).join();
            if (written % (32 << 20) == 0) {
                store.uploadNow().join();
            }
        }
        store.uploadNow().join();
        if (source.equals("cold")) {
            store.clearLogCache();
        }
    }

    /** Reports bytes read per second next to operations per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
    }

    @Benchmark
    public List<StreamRecordBatch> sequentialRead(Bytes counter) {
        if (nextOffset >= stream.confirmOffset()) {
            nextOffset = stream.startOffset();
        }
        List<StreamRecordBatch> batches = stream.fetch(nextOffset, Long.MAX_VALUE, FETCH_BYTES).join();
        for (StreamRecordBatch batch : batches) {
            counter.bytes += batch.payloadSize();
        }
        nextOffset = batches.get(batches.size() - 1).endOffset();
        return batches;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        storage.close();
        s3.close();
        BenchmarkDirs.delete(dir);
    }
}
