package io.lakestream.wal.block;

import io.lakestream.wal.WalException;
import io.lakestream.wal.WalListener;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.block.RequestQueue.PendingAppend;
import io.lakestream.wal.block.RequestQueue.PendingTrim;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The writer thread's loop: takes every request that arrived while the previous group was
 * being written, applies trims, then writes the appends that fit as one group with one
 * write (two when the group wraps around the end of the file) and one fsync, and completes
 * their futures in position order.
 *
 * <p>A group starts on a block boundary and a skip frame fills its last block, so every write
 * is whole blocks and touches no block of an acknowledged group, which a torn write could
 * damage. The one exception is the first group after a recovery that ended the log inside a
 * block: it writes that block's start again, unchanged.
 *
 * <p>Only the writer thread runs this (tests may step it with {@link #runOnce()} instead), and
 * it alone owns the write position, the trim point and the file's header, so none of them
 * needs a lock. Futures complete on this thread.
 */
final class GroupCommitWriter implements Runnable {

    private final WalFile file;
    private final RequestQueue requests;
    private final WalListener listener;
    private final int epoch;
    private final int maxBatchBytes;
    private final WalFrame frame = WalFrame.create();
    /**
     * Room for a full group, the padding frame of a wrap inside it, the skip frame at its end,
     * the block-aligned start of the next lap's part, and the start of a block written before.
     */
    private final ByteBuffer batch;
    private final ByteBuffer frameProbe = ByteBuffer.allocate(WalFrame.HEADER_SIZE);

    /** Appends taken from the queue, in arrival order, not yet written. */
    private final ArrayDeque<PendingAppend> waiting = new ArrayDeque<>();
    private final List<PendingTrim> trims = new ArrayList<>();
    /** The group being written, and where each of its records went. */
    private final List<PendingAppend> group = new ArrayList<>();
    private final List<AppendResult> groupResults = new ArrayList<>();

    /** Where the next frame goes, unless it does not fit in the rest of the lap. */
    private long nextPosition;
    /** The durable trim point: no byte from here to {@link #nextPosition} may be overwritten. */
    private long trimPosition;
    /** The queue is closed: write what was accepted, wait for nothing. */
    private boolean closing;

    GroupCommitWriter(WalFile file, RequestQueue requests, WalListener listener, int maxBatchBytes,
                      long nextPosition) {
        this.file = file;
        this.requests = requests;
        this.listener = listener;
        this.epoch = file.header().epoch();
        this.maxBatchBytes = maxBatchBytes;
        this.batch = WalFile.allocateAligned(maxBatchBytes + 2 * WalFrame.HEADER_SIZE + 3 * WalFile.BLOCK_SIZE);
        this.nextPosition = nextPosition;
        this.trimPosition = file.header().trimPosition();
    }

    @Override
    public void run() {
        try {
            while (runOnce()) {
                // until closed and drained
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            failEverything(new WalException("WAL " + file.path() + " failed and accepts no more requests: " + e, e));
        }
    }

    /**
     * One duty cycle: takes the requests queued meanwhile (blocking only if nothing can be
     * written), applies trims, fails appends that can wait no longer, and writes at most one
     * group. While a group is written, appends pile up in the queue; the next cycle takes them
     * all at once.
     *
     * @return false once the queue is closed and every accepted append is written or failed
     */
    boolean runOnce() throws IOException, InterruptedException {
        closing = requests.drainTo(waiting, trims, closing ? 0 : nanosToWait());
        applyTrims();
        failAppendsThatCannotWait();
        if (!waiting.isEmpty() && fits(waiting.peek())) {
            writeGroup();
        }
        return !closing || !waiting.isEmpty();
    }

    /** How long to block for new requests: not at all if the oldest append can be written. */
    private long nanosToWait() {
        PendingAppend head = waiting.peek();
        if (head == null) {
            return Long.MAX_VALUE;
        }
        if (fits(head)) {
            return 0;
        }
        return Math.max(0, head.deadlineNanos() - System.nanoTime());
    }

    /**
     * Fails, oldest first, appends that do not fit and whose wait for trim is over, or all
     * that do not fit once the log is closing. Appends are written strictly in arrival order,
     * so only the oldest one can be blocked on space.
     */
    private void failAppendsThatCannotWait() {
        long now = System.nanoTime();
        while (!waiting.isEmpty() && !fits(waiting.peek())) {
            PendingAppend head = waiting.peek();
            if (!closing && now - head.deadlineNanos() < 0) {
                return;
            }
            waiting.poll();
            String why = closing ? "closed while the append waited for trim" : "waited "
                    + (now - head.enqueuedNanos()) / 1_000_000 + " ms for trim";
            head.future().completeExceptionally(new WalException("WAL full: " + file.path() + " has capacity "
                    + file.capacity() + " bytes, of which " + (nextPosition - trimPosition)
                    + " are used by untrimmed records; a record of " + head.record().remaining()
                    + " bytes does not fit (" + why + ")"));
        }
    }

    /** Where a frame of {@code frameSize} bytes would go: frames never cross the end of a lap. */
    private long placement(int frameSize) {
        return file.lapRemaining(nextPosition) >= frameSize ? nextPosition : file.nextLapStart(nextPosition);
    }

    /** Whether the append, and the skip frame after it, fit without overwriting untrimmed records. */
    private boolean fits(PendingAppend append) {
        int frameSize = append.frameSize();
        return paddedEnd(placement(frameSize) + frameSize) - trimPosition <= file.capacity();
    }

    /**
     * Where a group whose last frame ends at {@code end} ends: at the next block boundary, or
     * the one after it if a skip frame does not fit before the first. A lap tail too short for
     * a frame needs none: recovery goes on at the next lap.
     */
    private long paddedEnd(long end) {
        long boundary = WalFile.alignUp(end);
        if (boundary == end || boundary - end >= WalFrame.HEADER_SIZE
                || file.lapRemaining(end) < WalFrame.HEADER_SIZE) {
            return boundary;
        }
        return boundary + WalFile.BLOCK_SIZE;
    }

    private void writeGroup() throws IOException {
        long started = System.nanoTime();
        long groupStart = nextPosition;
        long writeStart = WalFile.alignDown(groupStart);
        int wrapIndex = -1;
        int recordBytes = 0;
        batch.clear();
        if (writeStart < groupStart) {
            // Recovery cut the log inside a block (a log of the packed format, or a group whose
            // skip frame a crash tore): the write starts with that block's bytes, unchanged.
            batch.limit((int) (groupStart - writeStart));
            if (!file.read(batch, writeStart)) {
                throw new IOException("WAL " + file.path() + " ends before position " + groupStart);
            }
            batch.limit(batch.capacity());
        }
        while (!waiting.isEmpty()) {
            PendingAppend append = waiting.peek();
            int frameSize = append.frameSize();
            long position = placement(frameSize);
            boolean wraps = position != nextPosition;
            // BlockWal.append admits no frame over maxBatchBytes, so every group makes progress.
            if (!fits(append) || recordBytes + frameSize > maxBatchBytes || (wraps && wrapIndex >= 0)) {
                break;
            }
            if (wraps) {
                // Recovery skips a lap tail too short for a frame header without being told.
                if (file.lapRemaining(nextPosition) >= WalFrame.HEADER_SIZE) {
                    frame.writePadding(batch, nextPosition, epoch);
                }
                fillBlock(batch);
                wrapIndex = batch.position();
            }
            frame.writeRecord(batch, position, epoch, append.record());
            recordBytes += frameSize;
            nextPosition = position + frameSize;
            group.add(waiting.poll());
            groupResults.add(new AppendResult(position, nextPosition));
        }
        long end = paddedEnd(nextPosition);
        if (end - nextPosition >= WalFrame.HEADER_SIZE) {
            frame.writeSkip(batch, nextPosition, epoch, (int) (end - nextPosition));
        } else {
            fillBlock(batch);
        }
        nextPosition = end;
        batch.flip();
        long bytes = batch.remaining();
        if (wrapIndex < 0) {
            file.write(batch, writeStart);
        } else {
            // The one group of a lap that wraps is written in two pieces: the tail of the lap,
            // then the start of the next.
            ByteBuffer beforeWrap = batch.duplicate().limit(wrapIndex);
            if (beforeWrap.hasRemaining()) {
                file.write(beforeWrap, writeStart);
            }
            file.write(batch.position(wrapIndex), file.nextLapStart(groupStart));
        }
        file.force();
        long durable = System.nanoTime();
        listener.onFsync(durable - started, group.size(), bytes);
        for (int i = 0; i < group.size(); i++) {
            PendingAppend append = group.get(i);
            listener.onAppend(append.record().remaining(), durable - append.enqueuedNanos());
            append.future().complete(groupResults.get(i));
        }
        group.clear();
        groupResults.clear();
    }

    /** Zeros from {@code buffer}'s position to the next block boundary, where it leaves the position. */
    private static void fillBlock(ByteBuffer buffer) {
        WalFile.putZeros(buffer, (int) (WalFile.alignUp(buffer.position()) - buffer.position()));
    }

    /**
     * Makes the furthest valid requested trim point durable with one header write, then
     * completes the trims. A request beyond the end of the log trims to the end; one that
     * does not name a record boundary fails, because recovery could not start there.
     */
    private void applyTrims() throws IOException {
        if (trims.isEmpty()) {
            return;
        }
        long target = trimPosition;
        int targetEpoch = file.header().trimEpoch();
        for (PendingTrim trim : trims) {
            long position = Math.min(trim.position(), nextPosition);
            if (position <= target) {
                continue;
            }
            TrimPoint point = trimPoint(position);
            if (point != null) {
                target = Math.max(target, point.position());
                // Epochs never fall along the log: the furthest point's is the highest.
                targetEpoch = Math.max(targetEpoch, point.epoch());
            } else {
                trim.future().completeExceptionally(new WalException("cannot trim WAL " + file.path() + " to "
                        + trim.position() + ": no record starts there"));
            }
        }
        if (target > trimPosition) {
            file.writeHeader(file.header().withTrimPosition(target, targetEpoch));
            trimPosition = target;
            listener.onTrim(trimPosition, nextPosition - trimPosition);
        }
        for (PendingTrim trim : trims) {
            trim.future().complete(null); // no-op for those failed above
        }
        trims.clear();
    }

    /** Where the log may be trimmed to, and the lowest epoch of any frame from there on. */
    private record TrimPoint(long position, int epoch) {}

    /**
     * Where the log may be trimmed for a request to trim to {@code position}, which lies
     * between the trim point and the end; null if no frame starts there. A trim to the end of a
     * group's last record moves past the group's skip frame, so that the log trimmed to its
     * end holds nothing and an append of the largest size fits.
     */
    private TrimPoint trimPoint(long position) throws IOException {
        if (position == nextPosition) {
            return new TrimPoint(position, epoch); // what comes next, this session writes
        }
        if (file.lapRemaining(position) < WalFrame.HEADER_SIZE) {
            return new TrimPoint(position, Integer.MIN_VALUE); // no frame here to learn an epoch from
        }
        frameProbe.clear();
        if (!file.read(frameProbe, position) || frameProbe.getLong(WalFrame.POSITION_OFFSET) != position) {
            return null;
        }
        int frameEpoch = frameProbe.getInt(WalFrame.EPOCH_OFFSET);
        if (frameProbe.get(WalFrame.TYPE_OFFSET) == WalFrame.TYPE_SKIP) {
            long end = position + WalFrame.HEADER_SIZE + frameProbe.getInt(WalFrame.LENGTH_OFFSET);
            return new TrimPoint(end, end == nextPosition ? epoch : frameEpoch);
        }
        return new TrimPoint(position, frameEpoch);
    }

    private void failEverything(WalException failure) {
        requests.close(failure);
        try {
            requests.drainTo(waiting, trims, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // cannot happen: drainTo does not wait here
        }
        group.forEach(append -> append.future().completeExceptionally(failure));
        waiting.forEach(append -> append.future().completeExceptionally(failure));
        trims.forEach(trim -> trim.future().completeExceptionally(failure));
        group.clear();
        waiting.clear();
        trims.clear();
    }
}
