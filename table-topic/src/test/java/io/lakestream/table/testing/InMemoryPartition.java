package io.lakestream.table.testing;

import io.lakestream.table.PartitionSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.record.internal.CompressionType;

/**
 * A partition log in memory with real Kafka record batches (as a producer sends them, offsets
 * assigned as a leader does), for table worker tests. Thread-safe.
 */
public final class InMemoryPartition implements PartitionSource {
    private final List<MutableRecordBatch> batches = new ArrayList<>();
    private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();
    private long nextOffset;
    private long startOffset;
    /** The end of the last batch a read returned. */
    private long readUpTo;

    /** Appends one batch of values (UTF-8), keys "k<offset>", timestamps 1000 + offset. */
    public synchronized long append(String... values) {
        return append(CompressionType.NONE, values);
    }

    public long append(CompressionType compression, String... values) {
        byte[][] bytes = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8);
        }
        return append(compression, bytes);
    }

    /** Appends one batch of values as they are. */
    public long append(CompressionType compression, byte[]... values) {
        long base;
        synchronized (this) {
            base = nextOffset;
            SimpleRecord[] records = new SimpleRecord[values.length];
            for (int i = 0; i < values.length; i++) {
                long offset = base + i;
                records[i] = new SimpleRecord(1000 + offset, ("k" + offset).getBytes(StandardCharsets.UTF_8), values[i]);
            }
            MemoryRecords built = MemoryRecords.withRecords(base, org.apache.kafka.common.compress.Compression
                .of(compression).build(), records);
            batches.add(built.batches().iterator().next());
            nextOffset = base + values.length;
        }
        for (Runnable waiter : waiters) {
            if (waiters.remove(waiter)) {
                waiter.run();
            }
        }
        return base;
    }

    public synchronized void trimTo(long offset) {
        startOffset = offset;
    }

    @Override
    public synchronized long logStartOffset() {
        return startOffset;
    }

    @Override
    public synchronized long highWatermark() {
        return nextOffset;
    }

    @Override
    public synchronized CompletableFuture<ByteBuffer> read(long offset, int maxBytes) {
        List<MutableRecordBatch> taken = new ArrayList<>();
        int size = 0;
        for (MutableRecordBatch batch : batches) {
            if (batch.nextOffset() <= offset) {
                continue;
            }
            if (!taken.isEmpty() && size + batch.sizeInBytes() > maxBytes) {
                break;
            }
            taken.add(batch);
            size += batch.sizeInBytes();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        taken.forEach(batch -> batch.writeTo(buffer));
        if (!taken.isEmpty()) {
            readUpTo = Math.max(readUpTo, taken.get(taken.size() - 1).nextOffset());
        }
        return CompletableFuture.completedFuture(buffer.flip());
    }

    /** The end of the furthest batch any read returned. */
    public synchronized long readUpTo() {
        return readUpTo;
    }

    @Override
    public AutoCloseable onNextAppend(Runnable callback) {
        waiters.add(callback);
        return () -> waiters.remove(callback);
    }
}
