package io.lakestream.stream.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LocalDirectoryObjectStorage} in a temporary directory. */
class LocalDirectoryObjectStorageTest extends ObjectStorageContractTest {
    @TempDir
    Path dir;

    private Path root;

    @Override
    protected ObjectStorage createStorage() {
        root = dir.resolve("objects");
        return new LocalDirectoryObjectStorage(root);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/../../escape", "/absolute", "a//b", "a/./b", "a/", "",
            "a\\..\\b", ".lakestream-tmp-x"})
    void unsafeKeysAreRejectedBeforeAnyFileIsTouched(String key) {
        assertThatThrownBy(() -> await(storage.write(key, ByteBuffer.allocate(1))))
                .as("write of key '%s'", key)
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("escape")).as("file outside the root").doesNotExist();
    }

    @Test
    void leftoverTemporaryFilesAreNotListed() throws Exception {
        await(storage.write(ns + "a", ByteBuffer.allocate(1)));
        // What a crash between create and rename leaves behind.
        Files.write(root.resolve(ns).resolve(LocalDirectoryObjectStorage.TEMP_PREFIX + "crashed"), new byte[3]);

        assertThat(await(storage.list(ns))).containsExactly(new ObjectInfo(ns + "a", 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {10, LocalDirectoryObjectStorage.MAP_THRESHOLD_BYTES * 2})
    void aKeyThatIsThePrefixOfAnObjectIsNotAnObject(int length) {
        await(storage.write(ns + "a/b", utf8("under a")));

        // The directory "a" opens for reading on Linux: the read must still say the object is missing.
        assertThatThrownBy(() -> await(storage.rangeRead(ns + "a", 0, length)))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    /** A read served from the page cache can complete before the caller attaches to it. */
    @ParameterizedTest
    @ValueSource(ints = {10, LocalDirectoryObjectStorage.MAP_THRESHOLD_BYTES})
    void rangeReadDecodesOnTheThreadThatRead(int length) {
        await(storage.write(ns + "a", ByteBuffer.allocate(length)));

        String decodedOn = await(storage.rangeRead(ns + "a", 0, length, buffer -> Thread.currentThread().getName()));

        assertThat(decodedOn).as("thread that decoded").startsWith("lakestream-local-objects-");
    }

    @Test
    void objectsSurviveReopeningTheDirectory() {
        await(storage.write(ns + "a/b", utf8("kept")));
        storage.close();

        storage = new LocalDirectoryObjectStorage(root);
        assertThat(bytesOf(await(storage.rangeRead(ns + "a/b", 0, 4)))).asString().isEqualTo("kept");
    }

    @Test
    void aMappedRangeKeepsItsBytesAfterTheObjectIsReplacedAndDeleted() {
        int size = LocalDirectoryObjectStorage.MAP_THRESHOLD_BYTES * 3;
        byte[] first = new byte[size];
        new Random(7).nextBytes(first);
        await(storage.write(ns + "big", ByteBuffer.wrap(first)));
        int start = 1000;
        int end = start + LocalDirectoryObjectStorage.MAP_THRESHOLD_BYTES * 2;

        ByteBuffer read = await(storage.rangeRead(ns + "big", start, end));
        await(storage.write(ns + "big", ByteBuffer.allocate(size)));
        await(storage.delete(List.of(ns + "big")));

        assertThat(read.isDirect()).as("a range this long is mapped, not copied").isTrue();
        assertThat(bytesOf(read)).as("bytes [%d, %d) read before the object was replaced", start, end)
                .isEqualTo(Arrays.copyOfRange(first, start, end));
    }

    /** Heap buffers are written a chunk at a time; a direct one at once. Both must land whole, from their position. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anObjectOfManyWriteChunksIsWrittenWhole(boolean direct) {
        byte[] bytes = new byte[LocalDirectoryObjectStorage.WRITE_CHUNK_BYTES * 3 + 12_345];
        new Random(11).nextBytes(bytes);
        ByteBuffer body = direct ? ByteBuffer.allocateDirect(bytes.length + 10) : ByteBuffer.allocate(bytes.length + 10);
        body.position(10);
        body.put(bytes).flip().position(10);

        await(storage.write(ns + "chunked", body));

        assertThat(await(storage.list(ns + "chunked"))).extracting(ObjectInfo::size).containsExactly((long) bytes.length);
        assertThat(bytesOf(await(storage.rangeRead(ns + "chunked", 0, bytes.length)))).isEqualTo(bytes);
        assertThat(body.position()).as("the caller's buffer is left as it was").isEqualTo(10);
    }

    @Test
    void operationsAfterCloseFailInsteadOfHanging() {
        storage.close();

        assertThatThrownBy(() -> await(storage.write(ns + "a", ByteBuffer.allocate(1))))
                .isInstanceOf(ObjectStorageException.class)
                .hasMessageContaining("closed");
    }
}
