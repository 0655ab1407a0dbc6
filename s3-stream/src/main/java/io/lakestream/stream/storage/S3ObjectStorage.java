package io.lakestream.stream.storage;

import io.lakestream.stream.storage.S3RequestMetrics.Kind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * {@link ObjectStorage} on an S3 bucket through the AWS SDK v2 async client (Netty).
 *
 * <ul>
 *   <li>{@code write}: one PutObject, or a multipart upload (parts in parallel, aborted on
 *       failure) for objects larger than {@link ObjectStorageConfig#multipartPartSize()}.</li>
 *   <li>{@code rangeRead}: GetObject with {@code Range: bytes=start-(end-1)}.</li>
 *   <li>{@code list}: ListObjectsV2, following continuation tokens.</li>
 *   <li>{@code delete}: DeleteObjects, up to {@value #MAX_KEYS_PER_DELETE} keys a request.</li>
 * </ul>
 * Throttling, 5xx and I/O errors are retried by the SDK's retry strategy (see
 * {@link ObjectStorageConfig#maxRetries()}); what still fails completes the future with an
 * {@link ObjectStorageException} naming the operation, bucket and key. Requests are timed in
 * the meters described by {@link S3RequestMetrics}.
 *
 * <p>Thread-safe. No method blocks: futures complete on the SDK's Netty event loop or
 * future-completion threads.
 */
public final class S3ObjectStorage implements ObjectStorage {
    /** DeleteObjects accepts at most this many keys per request. */
    static final int MAX_KEYS_PER_DELETE = 1000;
    private static final long EVENT_LOOP_QUIET_MILLIS = 100;

    private final ObjectStorageConfig config;
    private final SdkEventLoopGroup eventLoops;
    private final S3AsyncClient client;
    private final S3MultipartUploader multipart;
    private final S3RequestMetrics metrics;

    /**
     * Meters go to {@link Metrics#globalRegistry}: a no-op until the application adds a
     * registry to it (a Prometheus one, say), and then visible without extra wiring. A
     * private {@code SimpleMeterRegistry} would hold data that nobody can read.
     */
    public S3ObjectStorage(ObjectStorageConfig config) {
        this(config, Metrics.globalRegistry);
    }

    public S3ObjectStorage(ObjectStorageConfig config, MeterRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.eventLoops = SdkEventLoopGroup.builder().build();
        this.client = S3ClientFactory.create(config, eventLoops);
        this.multipart = new S3MultipartUploader(client, config.bucket(),
                config.multipartPartSize(), config.multipartParallelism());
        this.metrics = new S3RequestMetrics(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public CompletableFuture<Void> write(String key, ByteBuffer data) {
        // Our own view: the caller's position and limit stay as they were.
        ByteBuffer body = data.duplicate();
        long size = body.remaining();
        if (size > config.multipartPartSize()) {
            return failWith(metrics.record(Kind.MULTIPART, () -> multipart.upload(key, body), v -> size),
                    "multipart upload", key, false);
        }
        return failWith(metrics.record(Kind.PUT,
                        () -> client.putObject(b -> b.bucket(config.bucket()).key(key).contentLength(size),
                                AsyncRequestBody.fromRemainingByteBufferUnsafe(body)),
                        response -> size),
                "put", key, false)
                .thenApply(response -> null);
    }

    /**
     * One PutObject with {@code If-None-Match: *}: S3 answers 412 Precondition Failed if the key
     * exists, and 409 ConditionalRequestConflict while a concurrent conditional write of the key
     * is in flight, which also means another writer got there first. A conditional PUT that the
     * SDK retries after a lost response finds its own object and answers 412: callers that must
     * tell the two apart write a unique marker into the object and read it back.
     */
    @Override
    public CompletableFuture<Boolean> writeIfAbsent(String key, ByteBuffer data) {
        ByteBuffer body = data.duplicate();
        long size = body.remaining();
        return metrics.record(Kind.PUT,
                        () -> client.putObject(b -> b.bucket(config.bucket()).key(key).contentLength(size)
                                        .ifNoneMatch("*"),
                                AsyncRequestBody.fromRemainingByteBufferUnsafe(body)),
                        response -> size)
                .thenApply(response -> true)
                .exceptionallyCompose(error -> S3Errors.isPreconditionFailure(error)
                        ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(S3Errors.translate(error, "conditional put",
                                config.bucket(), key, false)));
    }

    /** An empty range ({@code start == end}) completes at once, without asking S3. */
    @Override
    public CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end) {
        if (start < 0 || end < start) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "Invalid range [" + start + ", " + end + ") for key '" + key + "'"));
        }
        if (start == end) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0));
        }
        if (end - start > Integer.MAX_VALUE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "Range [" + start + ", " + end + ") of key '" + key + "' is too large for one read"));
        }
        String range = "bytes=" + start + "-" + (end - 1);
        RangeBytesTransformer body = new RangeBytesTransformer((int) (end - start));
        CompletableFuture<ByteBuffer> get = metrics.record(Kind.GET,
                () -> client.getObject(b -> b.bucket(config.bucket()).key(key).range(range), body),
                ByteBuffer::remaining);
        return failWith(get, "ranged get [" + start + ", " + end + ")", key, true)
                .thenApply(content -> {
                    // S3 silently shortens a range that runs past the end of the object.
                    if (content.remaining() != end - start) {
                        throw new ObjectStorageException("S3 ranged get of s3://" + config.bucket()
                                + "/" + key + " failed: the range [" + start + ", " + end
                                + ") runs past the end of the object (Content-Range: "
                                + (body.response() == null ? null : body.response().contentRange()) + ")");
                    }
                    return content;
                });
    }

    @Override
    public CompletableFuture<List<ObjectInfo>> list(String prefix) {
        List<ObjectInfo> objects = new ArrayList<>();
        return listFrom(prefix, null, objects).thenApply(v -> Collections.unmodifiableList(objects));
    }

    /** Appends the page at {@code continuationToken} and the pages after it, in key order. */
    private CompletableFuture<Void> listFrom(String prefix, String continuationToken,
                                             List<ObjectInfo> objects) {
        return failWith(metrics.record(Kind.LIST,
                        () -> client.listObjectsV2(b -> b.bucket(config.bucket()).prefix(prefix)
                                .continuationToken(continuationToken)),
                        null),
                "list", prefix + "*", false)
                .thenCompose(page -> {
                    page.contents().forEach(o -> objects.add(new ObjectInfo(o.key(), o.size())));
                    return Boolean.TRUE.equals(page.isTruncated())
                            ? listFrom(prefix, page.nextContinuationToken(), objects)
                            : CompletableFuture.completedFuture(null);
                });
    }

    @Override
    public CompletableFuture<Void> delete(Collection<String> keys) {
        List<String> all = List.copyOf(keys);
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_DELETE) {
            batches.add(deleteBatch(all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_DELETE))));
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture<?>[]::new));
    }

    private CompletableFuture<Void> deleteBatch(List<String> keys) {
        List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        String described = keys.size() == 1 ? keys.get(0)
                : keys.get(0) + " and " + (keys.size() - 1) + " more keys";
        // Quiet mode: the response lists only the keys that failed. A missing key is success.
        return failWith(metrics.record(Kind.DELETE,
                        () -> client.deleteObjects(b -> b.bucket(config.bucket())
                                .delete(d -> d.objects(ids).quiet(true))),
                        null),
                "delete", described, false)
                .thenAccept(this::requireNoDeleteErrors);
    }

    private void requireNoDeleteErrors(DeleteObjectsResponse response) {
        if (response.hasErrors() && !response.errors().isEmpty()) {
            S3Error first = response.errors().get(0);
            throw new ObjectStorageException("S3 delete of s3://" + config.bucket() + "/" + first.key()
                    + " failed: " + first.code() + " " + first.message() + " ("
                    + response.errors().size() + " keys failed in this batch)");
        }
    }

    /** Completes with what {@code future} does, its failure turned into our exceptions. */
    private <T> CompletableFuture<T> failWith(CompletableFuture<T> future, String operation,
                                              String key, boolean missingKeyIsNotFound) {
        return future.exceptionallyCompose(error -> CompletableFuture.failedFuture(
                S3Errors.translate(error, operation, config.bucket(), key, missingKeyIsNotFound)));
    }

    /** The configuration this storage was built with. */
    public ObjectStorageConfig config() {
        return config;
    }

    /**
     * Closes the SDK client and its connections; pending requests fail. Returns without
     * waiting for the event loop threads to exit (the SDK's own group would block close for
     * a two-second quiet period); the short quiet period lets the connection-close tasks
     * that the client just queued still run.
     */
    @Override
    public void close() {
        client.close();
        eventLoops.eventLoopGroup().shutdownGracefully(EVENT_LOOP_QUIET_MILLIS, 5_000, TimeUnit.MILLISECONDS);
    }
}
