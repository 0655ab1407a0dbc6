package io.lakestream.stream;

import io.lakestream.stream.cache.LogCache;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes batches to the write-ahead log and, once durable, hands them to the log cache in
 * log-position order.
 *
 * <p>Order matters beyond offsets: the uploader trims the log up to the end of each
 * uploaded cache block, which is only safe if every batch below that position is in that
 * block or an earlier one. A log completes its futures in position order, but a callback
 * attached to an already-completed future runs on the attaching thread, so callbacks alone
 * could reorder. Instead every append is queued in position order (log append and enqueue
 * under one lock), and whichever thread sees a completion drains the queue's completed head.
 *
 * <p>Thread-safe.
 */
final class OrderedWalWriter {
    private final WriteAheadLog wal;
    private final LogCache logCache;
    private final Object appendLock = new Object();
    private final Queue<PendingAppend> pending = new ArrayDeque<>();

    OrderedWalWriter(WriteAheadLog wal, LogCache logCache) {
        this.wal = wal;
        this.logCache = logCache;
    }

    /**
     * Appends a batch of {@code target}'s stream. Once it is durable, and in log order, the
     * batch goes into the log cache and {@link Target#onDurable} runs, before the returned
     * future completes. If the log fails the append, the target is told and its later
     * batches are kept out of the cache, so a stream never shows a gap.
     */
    CompletableFuture<Void> append(StreamRecordBatch batch, Target target) {
        PendingAppend append = new PendingAppend(batch, target);
        synchronized (appendLock) {
            CompletableFuture<AppendResult> written;
            try {
                written = wal.append(batch.encode());
            } catch (RuntimeException e) {
                written = CompletableFuture.failedFuture(e);
            }
            append.written = written;
            synchronized (pending) {
                pending.add(append);
            }
        }
        append.written.whenComplete((result, error) -> drainCompleted());
        return append.acknowledged;
    }

    private void drainCompleted() {
        List<PendingAppend> done = new ArrayList<>();
        synchronized (pending) {
            PendingAppend head;
            while ((head = pending.peek()) != null && head.written.isDone()) {
                pending.poll();
                done.add(head);
                if (head.written.isCompletedExceptionally()) {
                    head.target.onFailed();
                } else if (head.target.isFailed()) {
                    head.written = CompletableFuture.failedFuture(new StreamException(
                        StreamException.Reason.STORAGE_ERROR, "an earlier append of the stream failed"));
                } else {
                    logCache.put(head.batch, head.written.join().nextPosition());
                    head.target.onDurable(head.batch);
                }
            }
        }
        // Acknowledge outside the lock: callers may append again from their callback.
        for (PendingAppend append : done) {
            append.written.whenComplete((result, error) -> {
                if (error == null) {
                    append.acknowledged.complete(null);
                } else {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                    append.acknowledged.completeExceptionally(new StreamException(
                        StreamException.Reason.STORAGE_ERROR,
                        "Write-ahead log append of " + append.batch + " failed: " + cause.getMessage(), cause));
                }
            });
        }
    }

    private static final class PendingAppend {
        final StreamRecordBatch batch;
        final Target target;
        final CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        CompletableFuture<AppendResult> written;

        PendingAppend(StreamRecordBatch batch, Target target) {
            this.batch = batch;
            this.target = target;
        }
    }

    /** The stream an append belongs to. Called under the writer's lock: keep it cheap. */
    interface Target {
        void onDurable(StreamRecordBatch batch);

        /** A log append failed: the stream has a hole and must stop taking appends. */
        void onFailed();

        boolean isFailed();
    }
}
