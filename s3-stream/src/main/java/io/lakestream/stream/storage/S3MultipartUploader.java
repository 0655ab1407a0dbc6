package io.lakestream.stream.storage;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads one object as a multipart upload: create, parts in parallel (at most
 * {@code parallelism} in flight), complete. If any part fails, the remaining parts are not
 * started and the upload is aborted once the parts in flight finish, so S3 keeps no
 * orphaned parts (which are billed) and the key never shows a partial object.
 *
 * <p>Thread-safe: each upload keeps its state in its own call chain.
 */
final class S3MultipartUploader {
    private final S3AsyncClient client;
    private final String bucket;
    private final long partSize;
    private final int parallelism;

    S3MultipartUploader(S3AsyncClient client, String bucket, long partSize, int parallelism) {
        this.client = client;
        this.bucket = bucket;
        this.partSize = partSize;
        this.parallelism = parallelism;
    }

    /** Uploads {@code body}'s remaining bytes; they must not change until this completes. */
    CompletableFuture<Void> upload(String key, ByteBuffer body) {
        return client.createMultipartUpload(b -> b.bucket(bucket).key(key))
                .thenCompose(created -> {
                    String uploadId = created.uploadId();
                    return uploadParts(key, uploadId, body)
                            .thenCompose(parts -> client.completeMultipartUpload(b -> b
                                    .bucket(bucket).key(key).uploadId(uploadId)
                                    .multipartUpload(u -> u.parts(parts))))
                            .<Void>thenApply(completed -> null)
                            .exceptionallyCompose(error -> abort(key, uploadId, error));
                });
    }

    private CompletableFuture<List<CompletedPart>> uploadParts(String key, String uploadId,
                                                               ByteBuffer body) {
        int partCount = (int) ((body.remaining() + partSize - 1) / partSize);
        CompletedPart[] parts = new CompletedPart[partCount];
        AtomicInteger nextPart = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        // Each lane uploads one part at a time and then takes the next unclaimed one.
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(parallelism, partCount)];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = uploadNextPart(key, uploadId, body, parts, nextPart, failed);
        }
        // allOf waits for every lane, so abort never races a part still in flight.
        return CompletableFuture.allOf(lanes)
                .thenApply(v -> List.of(parts));
    }

    private CompletableFuture<Void> uploadNextPart(String key, String uploadId, ByteBuffer body,
                                                   CompletedPart[] parts, AtomicInteger nextPart,
                                                   AtomicBoolean failed) {
        int index = nextPart.getAndIncrement();
        if (index >= parts.length || failed.get()) {
            return CompletableFuture.completedFuture(null);
        }
        int offset = (int) (index * partSize);
        int length = (int) Math.min(partSize, body.remaining() - offset);
        ByteBuffer slice = body.slice(body.position() + offset, length);
        int partNumber = index + 1; // S3 part numbers start at 1
        return client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length),
                        AsyncRequestBody.fromRemainingByteBufferUnsafe(slice))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        failed.set(true);
                    }
                })
                .thenCompose(response -> {
                    parts[index] = CompletedPart.builder()
                            .partNumber(partNumber).eTag(response.eTag()).build();
                    return uploadNextPart(key, uploadId, body, parts, nextPart, failed);
                });
    }

    private CompletableFuture<Void> abort(String key, String uploadId, Throwable cause) {
        return client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId))
                .handle((aborted, abortError) -> {
                    if (abortError != null) {
                        cause.addSuppressed(abortError);
                    }
                    return null;
                })
                .thenCompose(ignored -> CompletableFuture.failedFuture(cause));
    }
}
