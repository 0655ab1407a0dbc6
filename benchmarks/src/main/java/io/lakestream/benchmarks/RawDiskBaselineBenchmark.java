package io.lakestream.benchmarks;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
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
 * The disk's own speed for the WAL benchmark to be measured against: a single writer that
 * writes one payload and fsyncs it, in a loop, on a preallocated file in the same directory.
 * Run it with one thread; more threads would only contend for the channel.
 *
 * <p>Two ways to write: through the page cache ({@code buffered}), and straight to the device
 * ({@code direct}, O_DIRECT) with the payload padded to whole 4 KiB blocks, as the WAL writes.
 * The faster of the two is the disk's speed: through the page cache, each fsync writes back
 * whole page cache folios, which on a recent kernel can be a MiB for a 1 KiB payload.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RawDiskBaselineBenchmark {
    private static final long FILE_SIZE = 256L << 20;

    private static final int BLOCK_SIZE = 4096;

    @Param({"1024", "65536"})
    public int payloadBytes;

    @Param({"buffered", "direct"})
    public String io;

    private Path dir;
    private FileChannel channel;
    private ByteBuffer payload;
    private long position;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = BenchmarkDirs.create("raw-disk");
        Path file = dir.resolve("raw.bin");
        try (FileChannel preallocated = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            BenchmarkDirs.preallocate(preallocated, FILE_SIZE);
        }
        if (io.equals("direct")) {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                ExtendedOpenOption.DIRECT);
            int blocks = (payloadBytes + BLOCK_SIZE - 1) / BLOCK_SIZE;
            payload = ByteBuffer.allocateDirect((blocks + 1) * BLOCK_SIZE).alignedSlice(BLOCK_SIZE)
                .limit(blocks * BLOCK_SIZE).slice();
        } else {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            payload = ByteBuffer.allocateDirect(payloadBytes);
        }
    }

    @Benchmark
    public void writeAndFsync() throws IOException {
        if (position + payload.capacity() > FILE_SIZE) {
            position = 0;
        }
        payload.clear();
        while (payload.hasRemaining()) {
            position += channel.write(payload, position);
        }
        channel.force(false);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        channel.close();
        BenchmarkDirs.delete(dir);
    }
}
