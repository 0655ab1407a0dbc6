package io.lakestream.wal.block;

import io.lakestream.wal.WalException;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands appends and trims from any thread to the writer thread.
 *
 * <p>Thread-safe. Offering and closing happen under one lock, so a request is either
 * accepted before the queue closes (and the writer will complete it) or rejected: none is
 * stranded.
 */
final class RequestQueue {

    /** An append waiting to be written; {@code deadlineNanos} bounds its wait for space. */
    record PendingAppend(ByteBuffer record, long enqueuedNanos, long deadlineNanos,
                         CompletableFuture<AppendResult> future) {
        int frameSize() {
            return WalFrame.frameSize(record.remaining());
        }
    }

    record PendingTrim(long position, CompletableFuture<Void> future) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<PendingAppend> appends = new ArrayDeque<>();
    private final ArrayDeque<PendingTrim> trims = new ArrayDeque<>();
    private WalException closedReason;

    /** @return null if accepted, else why the queue is closed */
    WalException offer(PendingAppend append) {
        lock.lock();
        try {
            if (closedReason == null) {
                appends.add(append);
                notEmpty.signal();
            }
            return closedReason;
        } finally {
            lock.unlock();
        }
    }

    /** @return null if accepted, else why the queue is closed */
    WalException offer(PendingTrim trim) {
        lock.lock();
        try {
            if (closedReason == null) {
                trims.add(trim);
                notEmpty.signal();
            }
            return closedReason;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves every queued request into the given collections, first waiting up to
     * {@code maxWaitNanos} for one if there is none ({@link Long#MAX_VALUE}: no limit).
     *
     * @return whether the queue is closed: nothing more will arrive
     */
    boolean drainTo(Collection<PendingAppend> appendsOut, List<PendingTrim> trimsOut, long maxWaitNanos)
            throws InterruptedException {
        lock.lock();
        try {
            long remaining = maxWaitNanos;
            while (appends.isEmpty() && trims.isEmpty() && closedReason == null && remaining > 0) {
                if (maxWaitNanos == Long.MAX_VALUE) {
                    notEmpty.await();
                } else {
                    remaining = notEmpty.awaitNanos(remaining);
                }
            }
            appendsOut.addAll(appends);
            appends.clear();
            trimsOut.addAll(trims);
            trims.clear();
            return closedReason != null;
        } finally {
            lock.unlock();
        }
    }

    /** Rejects later offers with {@code reason}; requests already queued are still drained. */
    void close(WalException reason) {
        lock.lock();
        try {
            if (closedReason == null) {
                closedReason = reason;
            }
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Why the queue is closed; null while open. */
    WalException closedReason() {
        lock.lock();
        try {
            return closedReason;
        } finally {
            lock.unlock();
        }
    }
}
