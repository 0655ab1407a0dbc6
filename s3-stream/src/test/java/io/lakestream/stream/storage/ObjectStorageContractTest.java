package io.lakestream.stream.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ObjectStorage} must have. Subclasses supply the storage; each
 * test works under its own key namespace so a shared bucket needs no cleaning.
 */
abstract class ObjectStorageContractTest {
    protected ObjectStorage storage;
    /** A key prefix of this test's own, ending in {@code /}. */
    protected String ns;

    protected abstract ObjectStorage createStorage() throws Exception;

    @BeforeEach
    void createStorageAndNamespace() throws Exception {
        storage = createStorage();
        ns = "test-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeStorage() {
        storage.close();
    }

    @Test
    void writtenObjectReadsBackWhole() {
        byte[] data = randomBytes(10_000, 1);
        await(storage.write(ns + "a", ByteBuffer.wrap(data)));

        assertThat(bytesOf(await(storage.rangeRead(ns + "a", 0, data.length))))
                .as("whole object read back").isEqualTo(data);
    }

    @Test
    void rangeReadReturnsExactlyTheRequestedBytes() {
        byte[] data = randomBytes(4096, 2);
        await(storage.write(ns + "a", ByteBuffer.wrap(data)));

        assertThat(bytesOf(await(storage.rangeRead(ns + "a", 100, 1000))))
                .as("bytes [100, 1000)").isEqualTo(Arrays.copyOfRange(data, 100, 1000));
        assertThat(bytesOf(await(storage.rangeRead(ns + "a", 4095, 4096))))
                .as("last byte").containsExactly(data[4095]);
        assertThat(await(storage.rangeRead(ns + "a", 7, 7)).remaining())
                .as("empty range").isZero();
    }

    @Test
    void rangeReadDecodesTheRangeAndPassesOnWhatDecodingThrows() {
        byte[] data = randomBytes(4096, 4);
        await(storage.write(ns + "a", ByteBuffer.wrap(data)));

        byte[] decoded = await(storage.rangeRead(ns + "a", 100, 1000, ObjectStorageContractTest::bytesOf));
        assertThat(decoded).as("decoded bytes [100, 1000)").isEqualTo(Arrays.copyOfRange(data, 100, 1000));
        IllegalStateException corrupt = new IllegalStateException("corrupt block");
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 0, 10, buffer -> {
            throw corrupt;
        }))).as("what decoding threw").isSameAs(corrupt);
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "missing", 0, 10, ObjectStorageContractTest::bytesOf)))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void writeReplacesAnExistingObject() {
        await(storage.write(ns + "a", utf8("first version, longer")));
        await(storage.write(ns + "a", utf8("second")));

        assertThat(await(storage.list(ns))).containsExactly(new ObjectInfo(ns + "a", 6));
        assertThat(bytesOf(await(storage.rangeRead(ns + "a", 0, 6)))).asString().isEqualTo("second");
    }

    @Test
    void writeLeavesTheCallersBufferUntouched() {
        ByteBuffer data = utf8("0123456789");
        data.position(2);
        await(storage.write(ns + "a", data));

        assertThat(data.position()).as("caller's position").isEqualTo(2);
        assertThat(bytesOf(await(storage.rangeRead(ns + "a", 0, 8)))).asString().isEqualTo("23456789");
    }

    @Test
    void emptyObjectIsListedWithSizeZero() {
        await(storage.write(ns + "empty", ByteBuffer.allocate(0)));

        assertThat(await(storage.list(ns))).containsExactly(new ObjectInfo(ns + "empty", 0));
    }

    @Test
    void readOfMissingKeyFailsWithObjectNotFound() {
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "missing", 0, 1)))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(ns + "missing");
    }

    @Test
    void rangeRunningPastTheEndFailsNamingKeyAndRange() {
        await(storage.write(ns + "a", ByteBuffer.wrap(randomBytes(100, 3))));

        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 50, 101)))
                .isInstanceOf(ObjectStorageException.class)
                .isNotInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(ns + "a")
                .hasMessageContaining("past the end");
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 100, 200)))
                .isInstanceOf(ObjectStorageException.class)
                .isNotInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(ns + "a")
                .hasMessageContaining("past the end");
    }

    @Test
    void listReturnsKeysUnderThePrefixInKeyOrderWithSizes() {
        await(storage.write(ns + "b/2", ByteBuffer.allocate(2)));
        await(storage.write(ns + "a", ByteBuffer.allocate(1)));
        await(storage.write(ns + "b/10", ByteBuffer.allocate(3)));
        await(storage.write(ns + "c", ByteBuffer.allocate(4)));
        await(storage.write(ns + "bz", ByteBuffer.allocate(5)));

        assertThat(await(storage.list(ns))).containsExactly(
                new ObjectInfo(ns + "a", 1),
                new ObjectInfo(ns + "b/10", 3),
                new ObjectInfo(ns + "b/2", 2),
                new ObjectInfo(ns + "bz", 5),
                new ObjectInfo(ns + "c", 4));
        assertThat(await(storage.list(ns + "b"))).extracting(ObjectInfo::key)
                .as("a prefix that ends inside a name")
                .containsExactly(ns + "b/10", ns + "b/2", ns + "bz");
        assertThat(await(storage.list(ns + "b/"))).extracting(ObjectInfo::key)
                .containsExactly(ns + "b/10", ns + "b/2");
        assertThat(await(storage.list(ns + "nothing-here/"))).isEmpty();
    }

    @Test
    void deleteRemovesTheObjectsAndIgnoresMissingKeys() {
        await(storage.write(ns + "a", ByteBuffer.allocate(1)));
        await(storage.write(ns + "b", ByteBuffer.allocate(1)));
        await(storage.write(ns + "c", ByteBuffer.allocate(1)));

        await(storage.delete(List.of(ns + "a", ns + "c", ns + "never-written")));

        assertThat(await(storage.list(ns))).extracting(ObjectInfo::key).containsExactly(ns + "b");
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 0, 1)))
                .isInstanceOf(ObjectNotFoundException.class);
        await(storage.delete(List.of()));
    }

    @Test
    void concurrentWritesOfOneKeyLeaveOneWholeObject() {
        byte[] first = randomBytes(200_000, 4);
        byte[] second = randomBytes(200_000, 5);
        CompletableFuture<Void> a = storage.write(ns + "a", ByteBuffer.wrap(first));
        CompletableFuture<Void> b = storage.write(ns + "a", ByteBuffer.wrap(second));
        await(CompletableFuture.allOf(a, b));

        byte[] read = bytesOf(await(storage.rangeRead(ns + "a", 0, first.length)));
        assertThat(read).as("object is one of the two writes, not a mix").satisfiesAnyOf(
                r -> assertThat(r).isEqualTo(first),
                r -> assertThat(r).isEqualTo(second));
    }

    @Test
    void writeIfAbsentCreatesOnlyAnObjectThatDoesNotExist() {
        assertThat(await(storage.writeIfAbsent(ns + "v1", utf8("first")))).as("first create").isTrue();
        assertThat(await(storage.writeIfAbsent(ns + "v1", utf8("second, longer")))).as("second create").isFalse();

        assertThat(await(storage.list(ns))).containsExactly(new ObjectInfo(ns + "v1", 5));
        assertThat(bytesOf(await(storage.rangeRead(ns + "v1", 0, 5)))).asString().isEqualTo("first");
    }

    @Test
    void concurrentWriteIfAbsentOfOneKeyHasExactlyOneWinner() {
        List<CompletableFuture<Boolean>> creates = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            creates.add(storage.writeIfAbsent(ns + "v1", utf8("writer " + i)));
        }
        await(CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)));

        List<Integer> winners = new java.util.ArrayList<>();
        for (int i = 0; i < creates.size(); i++) {
            if (creates.get(i).join()) {
                winners.add(i);
            }
        }
        assertThat(winners).as("writers that were told they created the object").hasSize(1);
        assertThat(bytesOf(await(storage.rangeRead(ns + "v1", 0, 8)))).asString()
                .isEqualTo("writer " + winners.get(0));
    }

    /** Waits for {@code future} and rethrows its failure unwrapped. */
    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError("operation failed", e.getCause());
        } catch (Exception e) {
            throw new AssertionError("operation did not complete", e);
        }
    }

    protected static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    protected static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    protected static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
