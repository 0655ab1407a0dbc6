package io.lakestream.benchmarks;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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
 * The object read path of compare.sh's catch-up read, without the network: 256 MiB written to
 * {@code streamCount} streams in turn in 16 KiB batches (ProducerPerformance's batches) and
 * uploaded every 32 MiB into stream-set objects in a {@link LocalDirectoryObjectStorage}, as
 * the shipped broker config does; then, with the log cache cleared, each operation is one
 * consumer Fetch: 1 MiB from each stream at once, every stream continuing where it stopped.
 * The block cache is the broker's default (128 MiB), half the data, so a pass never finds the
 * previous pass's blocks. The files are in the page cache: this measures the broker's side,
 * not the disk.
 *
 * <p>Counters: {@code bytes} (payload returned per second, so MB/s directly) and
 * {@code storageBytes} (bytes read from the object store per second); their ratio is the read
 * amplification.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Threads(1)
public class CatchUpReadBenchmark {
    private static final int BATCH_BYTES = 16 << 10;
    private static final int FETCH_BYTES = 1 << 20;
    private static final long DATA_BYTES = 256L << 20;
    private static final long UPLOAD_BYTES = 32L << 20;

    /** 16: compare.sh's catch-up read; 1: a consumer of one partition, as compare.sh's perf-1 reads. */
    @Param({"16", "1"})
    public int streamCount;

    private Path dir;
    private ObjectStorage storage;
    private final AtomicLong storageBytes = new AtomicLong();
    private StreamStore store;
    private final List<Stream> streams = new ArrayList<>();
    private long[] nextOffsets;

    @Setup(Level.Trial)
    public void writeStreams() throws IOException {
        dir = BenchmarkDirs.create("catchup");
        storage = new CountingStorage(new LocalDirectoryObjectStorage(dir.resolve("objects")), storageBytes);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        long streamBytes = DATA_BYTES / streamCount;
        StreamStoreConfig config = StreamStoreConfig.builder(1)
            .uploadInterval(Duration.ofHours(1))
            .compactionInterval(Duration.ofHours(1))
            .logCacheCapacityBytes(2 * DATA_BYTES)
            .blockCacheCapacityBytes(128L << 20)
            .build();
        BlockWal wal = BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 2 * DATA_BYTES).build());
        store = new StreamStore(config, wal, storage, new InMemoryStreamMetadata(), registry);
        store.start().join();
        for (int i = 0; i < streamCount; i++) {
            streams.add(store.openStream(store.createStream().join()).join());
        }
        byte[] payload = new byte[BATCH_BYTES];
        ThreadLocalRandom.current().nextBytes(payload);
        long written = 0;
        for (long perStream = 0; perStream < streamBytes; perStream += BATCH_BYTES) {
            List<CompletableFuture<?>> appends = new ArrayList<>(streamCount);
            for (Stream stream : streams) {
                appends.add(stream.append(stream.nextOffset(), 16, ByteBuffer.wrap(payload)));
            }
            CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).join();
            written += (long) streamCount * BATCH_BYTES;
            if (written % UPLOAD_BYTES == 0) {
                store.uploadNow().join();
            }
        }
        store.uploadNow().join();
        store.clearLogCache();
        nextOffsets = new long[streamCount];
    }

    /** Payload returned, and bytes read from the object store, per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
        public long storageBytes;
    }

    @Benchmark
    public int fetchAllStreams(Bytes counter) {
        List<CompletableFuture<List<StreamRecordBatch>>> fetches = new ArrayList<>(streamCount);
        long readBefore = storageBytes.get();
        for (int i = 0; i < streamCount; i++) {
            Stream stream = streams.get(i);
            if (nextOffsets[i] >= stream.confirmOffset()) {
                nextOffsets[i] = stream.startOffset();
            }
            fetches.add(stream.fetch(nextOffsets[i], Long.MAX_VALUE, FETCH_BYTES));
        }
        int batchCount = 0;
        for (int i = 0; i < streamCount; i++) {
            List<StreamRecordBatch> batches = fetches.get(i).join();
            for (StreamRecordBatch batch : batches) {
                counter.bytes += batch.payloadSize();
            }
            nextOffsets[i] = batches.get(batches.size() - 1).endOffset();
            batchCount += batches.size();
        }
        counter.storageBytes += storageBytes.get() - readBefore;
        return batchCount;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        storage.close();
        BenchmarkDirs.delete(dir);
    }

    /** Counts the bytes of ranged reads; everything else passes through. */
    private record CountingStorage(ObjectStorage delegate, AtomicLong readBytes) implements ObjectStorage {
        @Override
        public CompletableFuture<Void> write(String key, ByteBuffer data) {
            return delegate.write(key, data);
        }

        @Override
        public CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end) {
            readBytes.addAndGet(end - start);
            return delegate.rangeRead(key, start, end);
        }

        @Override
        public <T> CompletableFuture<T> rangeRead(String key, long start, long end,
                                                  Function<ByteBuffer, ? extends T> decode) {
            readBytes.addAndGet(end - start);
            return delegate.rangeRead(key, start, end, decode);
        }

        @Override
        public CompletableFuture<List<ObjectInfo>> list(String prefix) {
            return delegate.list(prefix);
        }

        @Override
        public CompletableFuture<Void> delete(Collection<String> keys) {
            return delegate.delete(keys);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
