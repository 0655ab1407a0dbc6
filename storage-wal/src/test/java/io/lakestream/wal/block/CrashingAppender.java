package io.lakestream.wal.block;

import io.lakestream.wal.WriteAheadLog.AppendResult;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link BlockWalCrashTest}: appends random records to a {@link BlockWal}
 * from several threads as fast as it can, and trims now and then, until it is killed.
 *
 * <p>Prints one line per event, only after the event is durable:
 * <pre>
 * A &lt;position&gt; &lt;seed&gt;   an append completed; {@link #content(long)} of the seed is the record
 * t &lt;position&gt;          a trim to position is about to be requested
 * T &lt;position&gt;          that trim completed
 * </pre>
 */
public final class CrashingAppender {

    private static final int TRIM_EVERY = 32;
    private static final int TRIM_LAG = 16;

    private CrashingAppender() {}

    /** Args: WAL path, capacity, max batch bytes, threads, seed. */
    public static void main(String[] args) throws Exception {
        BlockWalConfig config = BlockWalConfig.builder(Path.of(args[0]), Long.parseLong(args[1]))
                .maxBatchBytes(Integer.parseInt(args[2])).build();
        int threads = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        PrintStream out = System.out;
        BlockWal wal = BlockWal.open(config);
        wal.recover().forEachRemaining(record -> { });
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(seed + t);
            Thread appender = new Thread(() -> appendForever(wal, random, out), "appender-" + t);
            appender.start();
        }
    }

    private static void appendForever(BlockWal wal, SplittableRandom random, PrintStream out) {
        long[] recent = new long[TRIM_LAG];
        try {
            for (long count = 0; ; count++) {
                long recordSeed = random.nextLong();
                AppendResult result = wal.append(ByteBuffer.wrap(content(recordSeed))).join();
                out.println("A " + result.position() + " " + recordSeed);
                int slot = (int) (count % TRIM_LAG);
                if (count % TRIM_EVERY == 0 && count >= TRIM_LAG) {
                    long trimTo = recent[slot];
                    out.println("t " + trimTo);
                    wal.trim(trimTo).join();
                    out.println("T " + trimTo);
                }
                recent[slot] = result.position();
            }
        } catch (RuntimeException e) {
            out.println("E " + e);
            System.exit(3);
        }
    }

    /** The record for a seed: the seed itself, then 0 to 3000 bytes derived from it. */
    static byte[] content(long seed) {
        int size = Long.BYTES + (int) Math.floorMod(seed, 3001L);
        ByteBuffer record = ByteBuffer.allocate(size).putLong(seed);
        record.put(WalTestSupport.payload(seed, size - Long.BYTES));
        return record.array();
    }
}
