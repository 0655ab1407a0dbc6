package io.lakestream.table;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One partition this broker leads, as a table worker reads it: the broker implements this
 * over its partition log, so that this module does not depend on the broker. Reads go to the
 * stream directly (log cache, then objects), not through the consumer protocol.
 *
 * <p>Implementations are thread-safe.
 */
public interface PartitionSource {

    /** The first offset still in the log. */
    long logStartOffset();

    /** The end of what is durable; reads stop here. */
    long highWatermark();

    /**
     * Whole record batches (Kafka's v2 format, as produced) from the one holding {@code offset}
     * up to the high watermark: about {@code maxBytes}, and at least one batch if there is one.
     * The first batch may start before {@code offset}. Empty at the high watermark.
     */
    CompletableFuture<ByteBuffer> read(long offset, int maxBytes);

    /**
     * Runs {@code callback} once, on some thread, when the high watermark next moves; closing
     * the handle forgets it.
     */
    AutoCloseable onNextAppend(Runnable callback);
}
