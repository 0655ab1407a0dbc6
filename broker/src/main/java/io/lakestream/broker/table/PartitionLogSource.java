package io.lakestream.broker.table;

import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.table.PartitionSource;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A partition log this broker leads, as a table-topic worker reads it: straight from the
 * stream (log cache, then objects), up to the high watermark. One per {@link PartitionLog}
 * (a new log, a new leadership, gets a new source). Thread-safe, as the log is.
 */
final class PartitionLogSource implements PartitionSource {
    private final PartitionLog log;

    PartitionLogSource(PartitionLog log) {
        this.log = log;
    }

    PartitionLog log() {
        return log;
    }

    @Override
    public long logStartOffset() {
        return log.logStartOffset();
    }

    @Override
    public long highWatermark() {
        return log.highWatermark();
    }

    @Override
    public CompletableFuture<ByteBuffer> read(long offset, int maxBytes) {
        return log.read(offset, maxBytes, true).thenApply(result -> result.records().buffer());
    }

    @Override
    public AutoCloseable onNextAppend(Runnable callback) {
        return log.onNextAppend(callback);
    }
}
