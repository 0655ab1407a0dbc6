package io.lakestream.stream;

import io.lakestream.wal.WalException;
import io.lakestream.wal.WriteAheadLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A write-ahead log in memory, for unit tests of the stream layer: appends are durable at
 * once, and {@link #crashCopy()} gives what a restarted node would recover.
 */
final class MemoryWal implements WriteAheadLog {
    private final List<WalRecord> records = new ArrayList<>();
    private long nextPosition;
    private long trimPosition;
    private boolean closed;
    private int trims;

    MemoryWal() {
    }

    private MemoryWal(List<WalRecord> records, long nextPosition, long trimPosition) {
        this.records.addAll(records);
        this.nextPosition = nextPosition;
        this.trimPosition = trimPosition;
    }

    @Override
    public synchronized Iterator<WalRecord> recover() {
        return List.copyOf(records).iterator();
    }

    @Override
    public synchronized CompletableFuture<AppendResult> append(ByteBuffer record) {
        if (closed) {
            return CompletableFuture.failedFuture(new WalException("closed"));
        }
        ByteBuffer copy = ByteBuffer.allocate(record.remaining()).put(record.duplicate()).flip();
        long position = nextPosition;
        nextPosition += copy.remaining();
        records.add(new WalRecord(position, nextPosition, copy));
        return CompletableFuture.completedFuture(new AppendResult(position, nextPosition));
    }

    @Override
    public synchronized CompletableFuture<Void> trim(long position) {
        trims++;
        trimPosition = Math.max(trimPosition, position);
        records.removeIf(r -> r.position() < trimPosition);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** A new log holding exactly what this one holds now, as after a crash. */
    synchronized MemoryWal crashCopy() {
        return new MemoryWal(records, nextPosition, trimPosition);
    }

    synchronized int untrimmedRecords() {
        return records.size();
    }

    synchronized int trims() {
        return trims;
    }
}
