package io.lakestream.stream;

import io.lakestream.stream.cache.LogCache;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches to the write-ahead log and, once durable, hands them to the log cache and
 * acknowledges them, all in log-position order.
 *
 * <p>Order matters beyond offsets: the uploader trims the log up to the end of each
 * uploaded cache block, which is only safe if every batch below that position is in that
 * block or an earlier one. A log completes its futures in position order, but a callback
 * attached to an already-completed future runs on the attaching thread, so callbacks alone
 * could reorder. Instead every append is queued in position order (log append and enqueue
 * under one lock), and a single drainer at a time (a work-in-progress counter, no lock held)
 * moves the completed head of the queue into the cache and acknowledges it. Acknowledgements
 * therefore run on whichever thread drains, usually the log's writer thread: callers with
 * heavy follow-up work should continue on their own executor.
 *
 * <p>Thread-safe.
 */
final class OrderedWalWriter {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedWalWriter.class);

    private final WriteAheadLog wal;
    private final LogCache logCache;
    private final Object appendLock = new Object();
    private final Queue<PendingAppend> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainRequests = new AtomicInteger();

    OrderedWalWriter(WriteAheadLog wal, LogCache logCache) {
        this.wal = wal;
        this.logCache = logCache;
    }

    /**
     * Appends a batch of {@code target}'s stream; {@code encoded} is its encoding. Once it is
     * durable, and in log order, {@code batch} goes into the log cache and
     * {@link Target#onDurable} runs, then the returned future completes. If the log fails the
     * append, the target is told and its later batches are kept out of the cache, so a stream
     * never shows a gap.
     */
    CompletableFuture<Void> append(StreamRecordBatch batch, ByteBuffer encoded, Target target) {
        PendingAppend append = new PendingAppend(batch, target);
        synchronized (appendLock) {
            CompletableFuture<AppendResult> written;
            try {
                written = wal.append(encoded);
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            append.written = written;
            pending.add(append);
        }
        append.written.whenComplete((result, error) -> drainCompleted());
        return append.acknowledged;
    }

    private void drainCompleted() {
        if (drainRequests.getAndIncrement() != 0) {
            return; // the thread draining now will see this request and loop again
        }
        int requests = 1;
        do {
            PendingAppend head;
            while ((head = pending.peek()) != null && head.written.isDone()) {
                pending.poll();
                complete(head);
            }
            requests = drainRequests.addAndGet(-requests);
        } while (requests != 0);
    }

    private void complete(PendingAppend append) {
        Throwable failure = null;
        try {
            if (append.written.isCompletedExceptionally()) {
                failure = cause(append.written);
            } else if (append.target.isFailed()) {
                failure = new IllegalStateException("an earlier append of the stream failed");
            } else {
                logCache.put(append.batch, append.written.join().nextPosition());
                append.target.onDurable(append.batch);
            }
        } catch (RuntimeException e) {
            LOG.error("Could not add {} to the log cache", append.batch, e);
            failure = e;
        }
        if (failure == null) {
            append.acknowledged.complete(null);
        } else {
            append.target.onFailed();
            append.acknowledged.completeExceptionally(new StreamException(StreamException.Reason.STORAGE_ERROR,
                "Write-ahead log append of " + append.batch + " failed: " + failure.getMessage(), failure));
        }
    }

    private static Throwable cause(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new IllegalStateException("not failed");
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static final class PendingAppend {
        final StreamRecordBatch batch;
        final Target target;
        final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        volatile CompletableFuture<AppendResult> written;

        PendingAppend(StreamRecordBatch batch, Target target) {
            this.batch = batch;
            this.target = target;
        }
    }

    /** The stream an append belongs to. Called by the single drainer: keep it cheap. */
    interface Target {
        void onDurable(StreamRecordBatch batch);

        /** An append failed: the stream has a hole and must stop taking appends. */
        void onFailed();

        boolean isFailed();
    }
}
