package io.lakestream.stream;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads committed batches of a stream from object storage, with the semantics of
 * {@link Stream#fetch}: consecutive batches from the one holding {@code startOffset}, before
 * {@code endOffset}, until {@code maxBytes} of payload (at least one batch).
 */
@FunctionalInterface
public interface BatchReader {
    CompletableFuture<List<StreamRecordBatch>> read(long streamId, long startOffset, long endOffset, int maxBytes);

    /** Forgets what the reader remembers of where the stream's data is: its objects were rewritten. */
    default void forgetLocations(long streamId) {
    }
}
