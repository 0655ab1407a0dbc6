package io.lakestream.stream.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import io.lakestream.stream.testing.S3ProxyServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link S3ObjectStorage} against a real (in-process) S3 server. */
class S3ObjectStorageTest extends ObjectStorageContractTest {
    private static final int PART_SIZE = (int) ObjectStorageConfig.MIN_PART_SIZE;

    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();

    private SimpleMeterRegistry registry;

    @Override
    protected ObjectStorage createStorage() {
        registry = new SimpleMeterRegistry();
        return new S3ObjectStorage(S3.configBuilder().multipartPartSize(PART_SIZE).build(), registry);
    }

    @Test
    void objectAboveThePartSizeIsUploadedInPartsAndReadsBackIntact() {
        byte[] data = randomBytes(2 * PART_SIZE + PART_SIZE / 5, 11); // three parts, last one short
        await(storage.write(ns + "big", ByteBuffer.wrap(data)));

        assertThat(await(storage.list(ns))).containsExactly(new ObjectInfo(ns + "big", data.length));
        assertThat(bytesOf(await(storage.rangeRead(ns + "big", 0, data.length))))
                .as("multipart object read back").isEqualTo(data);
        assertThat(bytesOf(await(storage.rangeRead(ns + "big", PART_SIZE - 10, PART_SIZE + 10))))
                .as("range across the first part boundary")
                .isEqualTo(Arrays.copyOfRange(data, PART_SIZE - 10, PART_SIZE + 10));
        assertThat(successCount("multipart")).as("multipart uploads").isEqualTo(1);
        assertThat(successCount("put")).as("single PUTs").isZero();
        assertThat(registry.get("lakestream.s3.request.bytes").tag("kind", "multipart").summary().totalAmount())
                .as("bytes uploaded by multipart").isEqualTo(data.length);
    }

    @Test
    void objectOfExactlyThePartSizeIsOneSinglePut() {
        await(storage.write(ns + "edge", ByteBuffer.allocate(PART_SIZE)));

        assertThat(successCount("put")).isEqualTo(1);
        assertThat(successCount("multipart")).isZero();
    }

    @Test
    void requestsAreTimedByKindAndOutcomeAndBytesSummarized() {
        await(storage.write(ns + "a", ByteBuffer.allocate(300)));
        await(storage.rangeRead(ns + "a", 0, 100));
        await(storage.list(ns));
        await(storage.delete(List.of(ns + "a")));
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 0, 1)))
                .isInstanceOf(ObjectNotFoundException.class);

        assertThat(successCount("put")).as("successful puts").isEqualTo(1);
        assertThat(successCount("get")).as("successful gets").isEqualTo(1);
        assertThat(successCount("list")).as("successful lists").isEqualTo(1);
        assertThat(successCount("delete")).as("successful deletes").isEqualTo(1);
        assertThat(registry.get("lakestream.s3.request").tags("kind", "get", "outcome", "error").timer().count())
                .as("failed gets").isEqualTo(1);
        assertThat(registry.get("lakestream.s3.request.bytes").tag("kind", "put").summary().totalAmount())
                .as("bytes put").isEqualTo(300);
        assertThat(registry.get("lakestream.s3.request.bytes").tag("kind", "get").summary().totalAmount())
                .as("bytes read").isEqualTo(100);
    }

    @Test
    void listFollowsContinuationTokensAndDeleteSplitsIntoBatchesOfAThousand() {
        int count = S3ObjectStorage.MAX_KEYS_PER_DELETE + 5; // S3 also pages lists at 1000 keys
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = ns + String.format("%05d", i);
            keys.add(key);
            writes.add(storage.write(key, ByteBuffer.allocate(1)));
        }
        await(CompletableFuture.allOf(writes.toArray(CompletableFuture<?>[]::new)));

        assertThat(await(storage.list(ns))).extracting(ObjectInfo::key).as("every key, in order")
                .containsExactlyElementsOf(keys);
        assertThat(successCount("list")).as("list pages").isEqualTo(2);

        await(storage.delete(keys));
        assertThat(await(storage.list(ns))).as("objects left after delete").isEmpty();
        assertThat(successCount("delete")).as("DeleteObjects requests").isEqualTo(2);
    }

    @Test
    void failureNamesOperationBucketAndKey() {
        ObjectStorageConfig missingBucket = ObjectStorageConfig.builder("no-such-bucket")
                .endpoint(S3.endpoint())
                .pathStyleAccess(true)
                .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)
                .build();
        try (S3ObjectStorage wrongBucket = new S3ObjectStorage(missingBucket, registry)) {
            assertThatThrownBy(() -> await(wrongBucket.write("some/key", ByteBuffer.allocate(1))))
                    .isInstanceOf(ObjectStorageException.class)
                    .hasMessageContaining("put")
                    .hasMessageContaining("s3://no-such-bucket/some/key");
            assertThatThrownBy(() -> await(wrongBucket.rangeRead("some/key", 0, 1)))
                    .as("a missing bucket is not a missing object")
                    .isNotInstanceOf(ObjectNotFoundException.class)
                    .isInstanceOf(ObjectStorageException.class)
                    .hasMessageContaining("s3://no-such-bucket/some/key");
        }
    }

    @Test
    void wrongCredentialsFailWithoutRetryingForever() {
        await(storage.write(ns + "a", ByteBuffer.allocate(1)));
        try (S3ObjectStorage wrongSecret = new S3ObjectStorage(
                S3.configBuilder().credentials(S3ProxyServer.ACCESS_KEY, "wrong").build(), registry)) {
            // A read: s3proxy may refuse a write by closing the connection before reading its body, so
            // the client sees a reset, not the 403.
            assertThatThrownBy(() -> await(wrongSecret.rangeRead(ns + "a", 0, 1)))
                    .isInstanceOf(ObjectStorageException.class)
                    .hasMessageContaining("s3://" + S3ProxyServer.BUCKET + "/" + ns + "a")
                    .hasMessageContaining("403");
        }
    }

    private long successCount(String kind) {
        return registry.get("lakestream.s3.request").tags("kind", kind, "outcome", "success").timer().count();
    }
}
