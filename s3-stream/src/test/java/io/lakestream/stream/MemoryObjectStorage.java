package io.lakestream.stream;

import io.lakestream.stream.storage.ObjectNotFoundException;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorageException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Objects in a map, counting requests, for unit tests of the stream layer. */
final class MemoryObjectStorage implements ObjectStorage {
    final Map<String, ByteBuffer> objects = new ConcurrentSkipListMap<>();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();

    @Override
    public CompletableFuture<Void> write(String key, ByteBuffer data) {
        puts.incrementAndGet();
        objects.put(key, ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip().asReadOnlyBuffer());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end) {
        gets.incrementAndGet();
        ByteBuffer object = objects.get(key);
        if (object == null) {
            return CompletableFuture.failedFuture(new ObjectNotFoundException(key));
        }
        if (start < 0 || end > object.remaining() || start > end) {
            return CompletableFuture.failedFuture(new ObjectStorageException("Range [" + start + ", " + end
                + ") outside object '" + key + "' of " + object.remaining() + " bytes"));
        }
        return CompletableFuture.completedFuture(object.slice((int) start, (int) (end - start)));
    }

    @Override
    public CompletableFuture<List<ObjectInfo>> list(String prefix) {
        return CompletableFuture.completedFuture(objects.entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix))
            .map(e -> new ObjectInfo(e.getKey(), e.getValue().remaining()))
            .toList());
    }

    @Override
    public CompletableFuture<Void> delete(Collection<String> keys) {
        keys.forEach(objects::remove);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
}
