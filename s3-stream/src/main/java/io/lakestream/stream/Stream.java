package io.lakestream.stream;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An append-only sequence of batches addressed by contiguous offsets, durable in the
 * write-ahead log and then in object storage. Opened for writing on one node at a time, in
 * one epoch; a node whose epoch is stale can no longer change it.
 *
 * <p>Thread-safe. Append futures usually complete on the write-ahead log's writer thread and
 * fetch futures on the object store's threads: callers with heavy follow-up work should
 * continue on their own executor, or they hold up every stream of the node.
 */
public interface Stream {

    long streamId();

    /** The epoch this handle writes with. */
    long epoch();

    /** The first offset still readable. */
    long startOffset();

    /** The end of what is durable and readable: the high watermark. */
    long confirmOffset();

    /** The offset the next append must start at. */
    long nextOffset();

    /**
     * Appends a batch covering {@code [baseOffset, baseOffset + count)}. The base offset must
     * equal {@link #nextOffset()}; otherwise the append is refused with a
     * {@link StreamException}. The payload is copied before this returns, so the caller may
     * reuse its buffer. The future completes once the batch is durable in the write-ahead
     * log, and appends complete in offset order.
     */
    CompletableFuture<Void> append(long baseOffset, int count, ByteBuffer payload);

    /**
     * Reads consecutive batches from the one holding {@code startOffset}, stopping before
     * {@code endOffset} (at most {@link #confirmOffset()}) and once {@code maxBytes} of payload
     * is reached; at least one batch is returned if any exists. The list is empty when
     * {@code startOffset} is the confirm offset or {@code endOffset <= startOffset}.
     */
    CompletableFuture<List<StreamRecordBatch>> fetch(long startOffset, long endOffset, int maxBytes);

    /**
     * Whether this node keeps the stream's data in stream objects from now on, as a stream
     * that will be rewritten needs (see {@code StreamStore#rewrite}).
     */
    void keepInStreamObjects(boolean keep);

    /** Moves the start offset forward; data below it becomes unreadable and is reclaimed. */
    CompletableFuture<Void> trim(long newStartOffset);

    /**
     * Uploads this node's cached data, then closes the stream at the metadata so another node
     * may open it. Later calls on this handle fail.
     */
    CompletableFuture<Void> close();
}
