package io.lakestream.stream.object;

import io.lakestream.stream.storage.ObjectNotFoundException;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unit-test object store in memory that records every ranged read, so tests can count
 * GETs. Reads complete at once, or, while {@link #holdReads()} is in effect, only when
 * {@link #releaseReads()} is called.
 */
public final class InMemoryObjectStorage implements ObjectStorage {
    /** One ranged GET. */
    public record RangeRead(String key, long start, long end) {
        public long length() {
            return end - start;
        }
    }

    private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final List<RangeRead> reads = new CopyOnWriteArrayList<>();
    private final Map<RangeRead, CompletableFuture<Void>> held = new ConcurrentHashMap<>();
    private volatile boolean holding;

    @Override
    public CompletableFuture<Void> write(String key, ByteBuffer data) {
        byte[] bytes = new byte[data.remaining()];
        data.duplicate().get(bytes);
        objects.put(key, bytes);
        return CompletableFuture.completedFuture(null);
    }

    /** Replaces an object's bytes, e.g. with a corrupted copy. */
    public void put(String key, byte[] bytes) {
        objects.put(key, bytes.clone());
    }

    public byte[] bytes(String key) {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new ObjectNotFoundException(key);
        }
        return bytes.clone();
    }

    @Override
    public CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end) {
        RangeRead read = new RangeRead(key, start, end);
        reads.add(read);
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            return CompletableFuture.failedFuture(new ObjectNotFoundException(key));
        }
        if (start < 0 || end > bytes.length || start > end) {
            return CompletableFuture.failedFuture(new ObjectStorageException("Range [" + start + ", " + end
                + ") is outside object '" + key + "' of " + bytes.length + " bytes"));
        }
        ByteBuffer result = ByteBuffer.wrap(bytes.clone(), (int) start, (int) (end - start)).slice();
        if (!holding) {
            return CompletableFuture.completedFuture(result);
        }
        CompletableFuture<Void> gate = new CompletableFuture<>();
        held.put(read, gate);
        return gate.thenApply(ignored -> result);
    }

    /** Reads issued from now on complete only at {@link #releaseReads()}. */
    public void holdReads() {
        holding = true;
    }

    /** Completes every held read and stops holding. */
    public void releaseReads() {
        holding = false;
        List<CompletableFuture<Void>> gates = new ArrayList<>(held.values());
        held.clear();
        gates.forEach(gate -> gate.complete(null));
    }

    /** Every ranged read so far, in order. */
    public List<RangeRead> reads() {
        return List.copyOf(reads);
    }

    public void clearReads() {
        reads.clear();
    }

    @Override
    public CompletableFuture<List<ObjectInfo>> list(String prefix) {
        List<ObjectInfo> infos = new ArrayList<>();
        objects.forEach((key, bytes) -> {
            if (key.startsWith(prefix)) {
                infos.add(new ObjectInfo(key, bytes.length));
            }
        });
        return CompletableFuture.completedFuture(infos);
    }

    @Override
    public CompletableFuture<Void> delete(Collection<String> keys) {
        keys.forEach(objects::remove);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
