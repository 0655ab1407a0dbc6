package io.lakestream.stream.storage;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Whole objects in a flat key space: S3 ({@code S3ObjectStorage}) or a local directory
 * ({@code LocalDirectoryObjectStorage}) for the embedded default.
 *
 * <p>Implementations are thread-safe. Every method is asynchronous and never blocks the
 * caller on I/O; futures complete on the implementation's own threads, so callers that
 * continue with heavy work should hop to their own executor. Failures complete the future
 * with an {@link ObjectStorageException} whose message names the operation and the key.
 */
public interface ObjectStorage extends AutoCloseable {

    /**
     * Writes an object, replacing any object with the same key. Large objects go up in
     * parts; the object becomes visible whole or not at all. The caller must not change the
     * buffer's remaining bytes until the future completes.
     */
    CompletableFuture<Void> write(String key, ByteBuffer data);

    /**
     * Writes an object only if no object has the key yet, atomically: of two concurrent
     * writers of one key exactly one succeeds. Completes with {@code true} if this call
     * created the object, {@code false} if the key already existed (nothing written). Meant
     * for small objects whose creation is a commit (a table's next metadata version); the
     * object goes up in one request. The caller must not change the buffer's remaining bytes
     * until the future completes.
     *
     * <p>The default refuses with {@link UnsupportedOperationException}: a store that cannot
     * create atomically must not pretend to.
     */
    default CompletableFuture<Boolean> writeIfAbsent(String key, ByteBuffer data) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException(
            getClass().getSimpleName() + " cannot create objects atomically (key " + key + ")"));
    }

    /**
     * Reads the bytes {@code [start, end)} of an object. Completes with
     * {@link ObjectNotFoundException} if there is no such object, and with an
     * {@link ObjectStorageException} if the range goes past its end. An empty range
     * ({@code start == end}) completes with an empty buffer without looking the object up;
     * a negative or reversed range fails with {@link IllegalArgumentException}. The buffer may
     * be read-only and outside the heap (a mapped file): callers only read it.
     */
    CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end);

    /**
     * Reads {@code [start, end)} as {@link #rangeRead(String, long, long)} does and applies
     * {@code decode} to the bytes on the thread that completes the read, not the caller's: a
     * read served from the page cache can complete before the caller attaches a stage to its
     * future, and that stage then runs on the caller, a request thread. Completes with what
     * {@code decode} throws, as it is. The default attaches {@code decode} to the read's
     * future, which is enough for a store whose reads all take a network round trip.
     */
    default <T> CompletableFuture<T> rangeRead(String key, long start, long end,
                                               Function<ByteBuffer, ? extends T> decode) {
        return rangeRead(key, start, end).thenApply(decode);
    }

    /** The objects whose key starts with {@code prefix}, in key order. */
    CompletableFuture<List<ObjectInfo>> list(String prefix);

    /** Deletes the objects; a key that does not exist is not an error. */
    CompletableFuture<Void> delete(Collection<String> keys);

    @Override
    void close();

    /** An object's key and size in bytes. */
    record ObjectInfo(String key, long size) {}
}
