package io.lakestream.wal.block;

import io.lakestream.wal.WalException;
import io.lakestream.wal.WalListener;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.block.RequestQueue.PendingAppend;
import io.lakestream.wal.block.RequestQueue.PendingTrim;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link WriteAheadLog} in one preallocated file on a local or EBS disk, used as a circular
 * buffer, with group commit.
 *
 * <h2>Threads</h2>
 * Thread-safe: any thread may {@link #append} and {@link #trim}; they only queue a request.
 * One writer thread, started by {@link #recover()}, does all writes and fsyncs, and
 * completes every future; continuations attached with {@code thenApply} and the like run on
 * it, so they must not block (use the {@code *Async} variants to move off it).
 * {@link #recover()} and {@link #close()} are called once, by the owner.
 *
 * <h2>Group commit</h2>
 * The writer takes every append that arrived while it was busy, encodes them into one
 * buffer of at most {@link BlockWalConfig#maxBatchBytes()} bytes, writes it with one write
 * (two if the group wraps around the end of the file), fsyncs once
 * ({@code FileChannel.force(false)}), and completes the futures in position order. It never
 * sleeps: it blocks only when there is nothing to write.
 *
 * <p>A group starts on a 4096-byte block boundary, and a skip frame fills the rest of its last
 * block (and the next block too if the rest is too short for a frame header). So every write
 * is whole blocks, as direct I/O needs, and a write touches no block of an acknowledged group,
 * except the first write after a recovery that ended the log inside a block: it writes that
 * block's start again, unchanged. The file is read and written with direct I/O where the file
 * system allows it.
 *
 * <h2>File layout</h2>
 * <pre>
 * offset 0      header slot 0   (4096 bytes)
 * offset 4096   header slot 1   (4096 bytes)
 * offset 8192   data region     (capacity bytes): frames, circular
 * </pre>
 * A record at logical position {@code p} starts at file offset {@code 8192 + p % capacity}.
 * One pass over the data region is a <em>lap</em>. A frame never crosses the end of a lap:
 * if the next frame does not fit in the rest of the lap, the writer puts a padding frame
 * there (when at least a frame header fits) and places the record at the start of the next
 * lap, so positions skip the rest of the lap. Positions only grow, and
 * {@code nextPosition - trimPosition} (the used bytes) never exceeds the capacity, so
 * untrimmed frames are never overwritten; an append that does not fit waits for a trim.
 *
 * <h2>Header slot</h2>
 * Written alternately to the two slots, each write followed by an fsync; the valid slot with
 * the higher sequence is current, so a torn header write loses nothing.
 * <pre>
 * | offset | field          | type  | meaning                                            |
 * |--------|----------------|-------|----------------------------------------------------|
 * |   0    | CRC            | int32 | CRC32C of bytes 4 to 44 (to 40 in version 1)       |
 * |   4    | MAGIC          | int32 | 0x4C53574C ("LSWL")                                |
 * |   8    | FORMAT_VERSION | int32 | 2 (1: no skip frames, otherwise read the same)     |
 * |  12    | CAPACITY       | int64 | size of the data region                            |
 * |  20    | SEQUENCE       | int64 | grows by one with every header write               |
 * |  28    | EPOCH          | int32 | above any frame's epoch; grows at every recovery   |
 * |  32    | TRIM_POSITION  | int64 | position of the oldest record to recover           |
 * |  40    | TRIM_EPOCH     | int32 | no frame from the trim point on has a lower epoch  |
 * |        |                |       | (version 2; version 1 headers end at 40)           |
 * </pre>
 * The offsets are named in {@code WalHeader} ({@code CRC_OFFSET}, {@code MAGIC_OFFSET}, ...).
 *
 * <h2>Frame</h2>
 * <pre>
 * | offset | field    | type   | meaning                                                  |
 * |--------|----------|--------|----------------------------------------------------------|
 * |   0    | CRC      | int32  | CRC32C of bytes 4 to the end of the payload              |
 * |   4    | LENGTH   | int32  | payload length (0 for padding)                           |
 * |   8    | POSITION | int64  | the frame's own logical position                         |
 * |  16    | EPOCH    | int32  | header epoch of the session that wrote the frame         |
 * |  20    | TYPE     | int8   | 0 = record, 1 = padding (the rest of the lap is unused), |
 * |        |          |        | 2 = skip (LENGTH zero bytes: the rest of the group's     |
 * |        |          |        | last block, and the next block if that rest is < 21)     |
 * |  21    | PAYLOAD  | bytes  | the record, LENGTH bytes                                 |
 * </pre>
 * The offsets are named in {@code WalFrame}. POSITION tells a frame written in this lap from
 * a valid frame left over from an earlier lap at the same file offset. EPOCH tells a frame
 * written after the last recovery from one of a group that a crash left unacknowledged,
 * beyond the point where recovery cut the log.
 *
 * <h2>Recovery</h2>
 * {@link #recover()} reads frames from the trim point while each stores its own position,
 * has a plausible length, a non-decreasing epoch and a matching CRC; the first frame that
 * fails ends the log, and the next append overwrites it. Recovery then raises the epoch in
 * the header above every epoch seen, so frames written from now on are told apart from
 * anything left after that point.
 */
public final class BlockWal implements WriteAheadLog {

    private enum State { OPENED, RECOVERED, CLOSED }

    private static final System.Logger LOG = System.getLogger(BlockWal.class.getName());

    /** Longer waits are as good as forever, and keep deadline arithmetic from overflowing. */
    private static final Duration LONGEST_APPEND_TIMEOUT = Duration.ofDays(365);

    private final BlockWalConfig config;
    private final WalListener listener;
    private final WalFile file;
    private final long appendTimeoutNanos;
    private final RequestQueue requests = new RequestQueue();
    private volatile State state = State.OPENED;
    private Thread writerThread;

    private BlockWal(BlockWalConfig config, WalListener listener, WalFile file) {
        this.config = config;
        this.listener = listener;
        this.file = file;
        Duration timeout = config.appendTimeout();
        this.appendTimeoutNanos = (timeout.compareTo(LONGEST_APPEND_TIMEOUT) > 0 ? LONGEST_APPEND_TIMEOUT : timeout)
                .toNanos();
    }

    /** Opens the WAL file, creating and preallocating it if it does not exist. */
    public static BlockWal open(BlockWalConfig config) throws IOException {
        return open(config, WalListener.NOOP);
    }

    /**
     * Opens the WAL file, creating and preallocating it if it does not exist.
     *
     * @throws WalException if the file has no valid header or was created with another capacity
     */
    public static BlockWal open(BlockWalConfig config, WalListener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        return new BlockWal(config, listener, WalFile.openOrCreate(config.path(), config.capacityBytes()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads every recovered record into memory (at most the capacity), raises the epoch in
     * the header, and starts the writer thread.
     */
    @Override
    public synchronized Iterator<WalRecord> recover() throws IOException {
        if (state != State.OPENED) {
            throw new IllegalStateException("WAL " + file.path() + " can be recovered only once, before use; it is "
                    + state.name().toLowerCase(Locale.ROOT));
        }
        WalHeader header = file.header();
        FrameScanner scanner = new FrameScanner(file, header.trimPosition(), header.trimEpoch());
        List<WalRecord> records = new ArrayList<>();
        for (WalRecord record = scanner.next(); record != null; record = scanner.next()) {
            records.add(record);
        }
        LOG.log(Level.INFO, () -> "WAL " + file.path() + ": recovered " + records.size() + " records from position "
                + header.trimPosition() + "; the log ends at " + scanner.position() + ", where " + scanner.stopReason());
        // Above every epoch on disk, even if the header fell back to an older slot.
        file.writeHeader(header.withEpoch(Math.max(header.epoch(), scanner.lastEpoch()) + 1));
        GroupCommitWriter writer =
                new GroupCommitWriter(file, requests, listener, config.maxBatchBytes(), scanner.position());
        writerThread = new Thread(writer, "lakestream-wal-writer-" + file.path().getFileName());
        // A forgotten close() must not keep the JVM alive; what it leaves unwritten was never
        // acknowledged, as after a crash.
        writerThread.setDaemon(true);
        writerThread.start();
        state = State.RECOVERED;
        return Collections.unmodifiableList(records).iterator();
    }

    @Override
    public CompletableFuture<AppendResult> append(ByteBuffer record) {
        Objects.requireNonNull(record, "record");
        requireRecovered("append to");
        int size = record.remaining();
        if (size > config.maxRecordBytes()) {
            return CompletableFuture.failedFuture(new WalException("record of " + size
                    + " bytes is too large for WAL " + file.path() + ": at most " + config.maxRecordBytes()
                    + " bytes fit in a group of " + config.maxBatchBytes() + " bytes (capacity "
                    + config.capacityBytes() + " bytes)"));
        }
        long now = System.nanoTime();
        CompletableFuture<AppendResult> future = new CompletableFuture<>();
        // A slice, so that the caller moving the buffer's position cannot change the record.
        WalException rejected =
                requests.offer(new PendingAppend(record.slice(), now, now + appendTimeoutNanos, future));
        if (rejected != null) {
            future.completeExceptionally(new WalException(rejected.getMessage(), rejected.getCause()));
        }
        return future;
    }

    @Override
    public CompletableFuture<Void> trim(long position) {
        requireRecovered("trim");
        CompletableFuture<Void> future = new CompletableFuture<>();
        WalException rejected = requests.offer(new PendingTrim(position, future));
        if (rejected != null) {
            future.completeExceptionally(new WalException(rejected.getMessage(), rejected.getCause()));
        }
        return future;
    }

    /**
     * Writes every append already accepted that fits without waiting for a trim, fails the
     * others, stops the writer thread and closes the file. Later appends and trims fail.
     */
    @Override
    public synchronized void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        requests.close(new WalException("WAL " + file.path() + " is closed"));
        try {
            // A continuation running on the writer thread may close the log; it cannot wait for itself.
            if (writerThread != null && writerThread != Thread.currentThread()) {
                writerThread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing WAL " + file.path());
        } finally {
            file.close();
        }
    }

    private void requireRecovered(String action) {
        if (state == State.OPENED) {
            throw new IllegalStateException("cannot " + action + " WAL " + file.path() + " before recover()");
        }
    }
}
