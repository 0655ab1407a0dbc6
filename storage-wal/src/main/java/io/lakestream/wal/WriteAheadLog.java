package io.lakestream.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;

/**
 * A write-ahead log: an ordered sequence of opaque records, each durable before its append
 * completes.
 *
 * <p>Every record has a <em>position</em>: a logical byte offset that only grows over the
 * life of the log, whatever the physical layout (a circular file, a series of objects).
 * Positions order records and name trim points.
 *
 * <p>Life cycle: construct, call {@link #recover()} once and drain its iterator, then
 * {@link #append} and {@link #trim} any number of times, then {@link #close()}.
 * Implementations are thread-safe: any thread may append or trim.
 */
public interface WriteAheadLog extends AutoCloseable {

    /**
     * Reads the log from the last trim point and returns every durable record, in append
     * order. A torn or corrupt tail (a crash in the middle of a write) ends the iteration:
     * nothing after it is returned, and the next append overwrites it. Must be called once,
     * before the first append.
     */
    Iterator<WalRecord> recover() throws IOException;

    /**
     * Appends one record. The returned future completes only after the record is durable
     * (fsync'd, or acknowledged by the object store), and completes exceptionally with a
     * {@link WalException} if it cannot be made durable. The buffer's remaining bytes are
     * the record; the caller must not change them until the future completes.
     *
     * <p>Futures complete in position order.
     */
    CompletableFuture<AppendResult> append(ByteBuffer record);

    /**
     * Releases every record whose position is before {@code position}: their space may be
     * reused, and {@link #recover()} will not return them again. The future completes once
     * the new trim point is itself durable. Trimming backwards is a no-op.
     */
    CompletableFuture<Void> trim(long position);

    /** Flushes what is pending, fails appends that arrive later, and releases resources. */
    @Override
    void close() throws IOException;

    /** Where an appended record was placed. */
    record AppendResult(long position, long nextPosition) {}

    /** A record returned by recovery, with the position it was appended at. */
    record WalRecord(long position, long nextPosition, ByteBuffer payload) {}
}
