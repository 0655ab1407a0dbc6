package io.lakestream.benchmarks;

import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link BlockWal} appends, each waited for until durable, from as many appenders as JMH
 * threads ({@code -t 1}, {@code -t 8}, {@code -t 64}). Compare with
 * {@link RawDiskBaselineBenchmark} at the same payload size, run in the same session.
 * The log is trimmed as it goes, the way the uploader does, so it never fills.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class WalAppendBenchmark {
    private static final long CAPACITY = 256L << 20;
    private static final long TRIM_EVERY = 32L << 20;

    @Param({"1024", "65536"})
    public int payloadBytes;

    private Path dir;
    private BlockWal wal;
    private ByteBuffer payload;
    private final AtomicLong trimmedTo = new AtomicLong();

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchmarkDirs.create("wal");
        wal = BlockWal.open(BlockWalConfig.builder(dir.resolve("wal.bin"), CAPACITY).build());
        wal.recover().forEachRemaining(record -> { });
        payload = ByteBuffer.allocate(payloadBytes);
    }

    @Benchmark
    public AppendResult appendDurably() {
        AppendResult result = wal.append(payload.duplicate()).join();
        long trimmed = trimmedTo.get();
        if (result.nextPosition() - trimmed > TRIM_EVERY && trimmedTo.compareAndSet(trimmed, result.position())) {
            wal.trim(result.position());
        }
        return result;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        wal.close();
        BenchmarkDirs.delete(dir);
    }
}
