package io.lakestream.wal;

/**
 * Observes a write-ahead log, so that metrics (Micrometer timers in s3-stream) can be bound
 * without this module depending on a metrics library.
 *
 * <p>Called on the log's writer thread: implementations must be fast, must not block and
 * must not throw.
 */
public interface WalListener {

    /** A listener that ignores everything. */
    WalListener NOOP = new WalListener() {};

    /**
     * A record became durable.
     *
     * @param payloadBytes the record's size
     * @param latencyNanos from the {@code append} call until the record was durable
     */
    default void onAppend(int payloadBytes, long latencyNanos) {}

    /**
     * A group of records was written and fsync'd.
     *
     * @param nanos   time spent writing and fsyncing the group
     * @param records records in the group
     * @param bytes   bytes written, including framing
     */
    default void onFsync(long nanos, int records, long bytes) {}

    /**
     * A new trim point was made durable.
     *
     * @param trimPosition the new trim point
     * @param usedBytes    bytes still held by untrimmed records
     */
    default void onTrim(long trimPosition, long usedBytes) {}
}
