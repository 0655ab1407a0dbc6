package io.lakestream.stream;

import io.lakestream.stream.StreamException.Reason;
import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamState;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A stream opened for writing on this node. Appends go through the node's write-ahead log
 * into the log cache; reads come from the log cache, else from objects.
 *
 * <p>Thread-safe: appends are serialized on the instance monitor, which assigns their
 * offsets; offsets read by other threads are volatile.
 */
final class S3Stream implements Stream, OrderedWalWriter.Target {
    private final long streamId;
    private final long epoch;
    private final OrderedWalWriter walWriter;
    private final LogCache logCache;
    private final BatchReader objectReader;
    private final StreamMetadata metadata;
    private final StreamStore store;
    private final StreamMetrics metrics;

    private volatile long startOffset;
    private volatile long confirmOffset;
    /** Guarded by {@code this}. */
    private long nextOffset;
    /** Guarded by {@code this}: the last append, which completes after all earlier ones. */
    private CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
    /** Guarded by {@code this}. */
    private long lastAppendEndOffset;
    private volatile boolean closed;
    private volatile boolean failed;

    S3Stream(StreamState state, OrderedWalWriter walWriter, LogCache logCache, BatchReader objectReader,
             StreamMetadata metadata, StreamStore store, StreamMetrics metrics) {
        this.streamId = state.streamId();
        this.epoch = state.epoch();
        this.startOffset = state.startOffset();
        this.confirmOffset = state.endOffset();
        this.nextOffset = state.endOffset();
        this.walWriter = walWriter;
        this.logCache = logCache;
        this.objectReader = objectReader;
        this.metadata = metadata;
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public long streamId() {
        return streamId;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public long startOffset() {
        return startOffset;
    }

    @Override
    public long confirmOffset() {
        return confirmOffset;
    }

    @Override
    public synchronized long nextOffset() {
        return nextOffset;
    }

    @Override
    public synchronized CompletableFuture<Void> append(long baseOffset, int count, ByteBuffer payload) {
        if (closed) {
            return CompletableFuture.failedFuture(new StreamException(Reason.CLOSED, this + " is closed"));
        }
        if (failed) {
            return CompletableFuture.failedFuture(new StreamException(Reason.STORAGE_ERROR,
                this + " stopped taking appends after a write-ahead log failure"));
        }
        if (baseOffset != nextOffset) {
            return CompletableFuture.failedFuture(new StreamException(Reason.OFFSET_MISMATCH,
                this + " expects its next append at offset " + nextOffset + ", got " + baseOffset));
        }
        // One copy, into the log's buffer; the cached batch is a view of it, so the caller
        // may reuse its payload buffer as soon as append returns.
        ByteBuffer encoded = new StreamRecordBatch(streamId, epoch, baseOffset, count, payload).encode();
        StreamRecordBatch batch = StreamRecordBatch.decode(encoded.duplicate());
        nextOffset = batch.endOffset();
        long startNanos = System.nanoTime();
        int bytes = batch.payloadSize();
        CompletableFuture<Void> acknowledged = walWriter.append(batch, encoded, this).whenComplete((ignored, error) -> {
            if (error == null) {
                metrics.appendLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                metrics.appendBytes.increment(bytes);
                store.onAppended();
            }
        });
        // An acknowledgement callback may append again before this line (the monitor is
        // re-entrant): keep the future of the highest offsets, which completes last.
        if (batch.endOffset() > lastAppendEndOffset) {
            lastAppend = acknowledged;
            lastAppendEndOffset = batch.endOffset();
        }
        return acknowledged;
    }

    @Override
    public void onDurable(StreamRecordBatch batch) {
        confirmOffset = batch.endOffset();
    }

    @Override
    public void onFailed() {
        failed = true;
    }

    @Override
    public boolean isFailed() {
        return failed;
    }

    @Override
    public CompletableFuture<List<StreamRecordBatch>> fetch(long startOffset, long endOffset, int maxBytes) {
        long start = this.startOffset;
        long confirm = this.confirmOffset;
        if (startOffset < start || startOffset > confirm) {
            return CompletableFuture.failedFuture(new StreamException(Reason.OFFSET_OUT_OF_RANGE, this
                + " holds offsets [" + start + ", " + confirm + "), fetch asked for " + startOffset));
        }
        long end = Math.min(endOffset, confirm);
        if (startOffset >= end) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<StreamRecordBatch> cached = logCache.get(streamId, startOffset, end, maxBytes);
        if (!cached.isEmpty()) {
            metrics.fetchFromLogCache.increment();
            return CompletableFuture.completedFuture(cached);
        }
        metrics.fetchFromObjects.increment();
        long startNanos = System.nanoTime();
        return objectReader.read(streamId, startOffset, end, maxBytes).whenComplete((batches, error) ->
            metrics.fetchFromObjectsLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS));
    }

    @Override
    public void keepInStreamObjects(boolean keep) {
        store.keepInStreamObjects(streamId, keep);
    }

    @Override
    public CompletableFuture<Void> trim(long newStartOffset) {
        if (newStartOffset > confirmOffset) {
            return CompletableFuture.failedFuture(new StreamException(Reason.OFFSET_OUT_OF_RANGE,
                this + " cannot trim to " + newStartOffset + ", past its confirm offset " + confirmOffset));
        }
        if (newStartOffset <= startOffset) {
            return CompletableFuture.completedFuture(null);
        }
        return withFencing(metadata.trimStream(streamId, epoch, newStartOffset)).thenRun(() -> {
            synchronized (this) {
                startOffset = Math.max(startOffset, newStartOffset);
            }
            logCache.trim(streamId, newStartOffset);
        });
    }

    @Override
    public CompletableFuture<Void> close() {
        CompletableFuture<Void> pending;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            closed = true;
            pending = lastAppend;
        }
        // Upload this node's cached data first, so the next node to open the stream sees it all.
        return pending.handle((ignored, error) -> null)
            .thenCompose(ignored -> store.uploadNow())
            .thenCompose(ignored -> withFencing(metadata.closeStream(streamId, epoch)))
            .whenComplete((ignored, error) -> store.forget(this));
    }

    private <T> CompletableFuture<T> withFencing(CompletableFuture<T> call) {
        return call.exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof StreamMetadataException refused && refused.error() == MetadataError.STALE_EPOCH) {
                closed = true;
                store.forget(this);
                return CompletableFuture.failedFuture(new StreamException(Reason.FENCED,
                    this + " was opened elsewhere with a newer epoch", cause));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    @Override
    public String toString() {
        return "stream " + streamId + " (epoch " + epoch + ")";
    }
}
