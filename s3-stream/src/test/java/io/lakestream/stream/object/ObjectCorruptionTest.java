package io.lakestream.stream.object;

import static io.lakestream.stream.object.TestBatches.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Damaged objects fail with an {@link ObjectFormatException} that names the key and the damage, never wrong data. */
class ObjectCorruptionTest {
    private static final String KEY = "data/abc/0000000000000007";

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private byte[] object;
    private long indexPosition;

    @BeforeEach
    void writeObject() {
        WrittenObject written = TestBatches.write(1024, stream(1, 0, 50, 2, 100));
        object = new byte[written.data().remaining()];
        written.data().duplicate().get(object);
        indexPosition = ByteBuffer.wrap(object).getLong(object.length - ObjectFormat.FOOTER_SIZE);
    }

    @Test
    void flippedBitInADataBlockFailsItsCrc() {
        object[1500] ^= 0x10;
        storage.put(KEY, object);
        ObjectReader reader = ObjectReader.open(storage, KEY, object.length).join();
        DataBlockIndex damaged = reader.find(1, 0, -1, Integer.MAX_VALUE).stream()
            .filter(block -> block.position() <= 1500 && 1500 < block.endPosition())
            .findFirst().orElseThrow();

        assertFails(reader.readBlock(damaged), "Object '" + KEY + "': block CRC mismatch at position "
            + damaged.position());
        assertFails(reader.readBlocks(reader.find(1, 0, -1, Integer.MAX_VALUE)), "block CRC mismatch");
    }

    @Test
    void flippedBitInTheIndexFailsTheIndexCrc() {
        object[(int) indexPosition + 20] ^= 0x01;

        assertOpenFails(object, "Object '" + KEY + "': index CRC mismatch");
    }

    @Test
    void truncatedObjectFailsOnItsFooter() {
        byte[] truncated = Arrays.copyOf(object, object.length - 5);

        assertOpenFails(truncated, "bad magic");
    }

    @Test
    void objectShorterThanAFooterFailsAsTruncated() {
        assertOpenFails(Arrays.copyOf(object, ObjectFormat.FOOTER_SIZE - 1), "truncated: object size 23 is smaller");
    }

    @Test
    void sizeLargerThanTheIndexAndFooterFailsAsTruncatedFooter() {
        // The tail of another valid object appended: magic and version fine, the index no longer ends at the footer.
        byte[] longer = Arrays.copyOf(object, object.length + ObjectFormat.FOOTER_SIZE);
        System.arraycopy(object, object.length - ObjectFormat.FOOTER_SIZE, longer, object.length,
            ObjectFormat.FOOTER_SIZE);

        assertOpenFails(longer, "truncated or corrupt footer");
    }

    @Test
    void unknownVersionIsRejected() {
        ByteBuffer.wrap(object).putInt(object.length - ObjectFormat.FOOTER_SIZE + ObjectFormat.FOOTER_VERSION_OFFSET, 2);

        assertOpenFails(object, "unknown format version 2 (this reader knows 1)");
    }

    @Test
    void wrongMagicIsRejected() {
        object[object.length - 1] = 'X';

        assertOpenFails(object, "bad magic 4c534f424a454358");
    }

    @Test
    void flippedBitInTheFooterIndexPositionIsRejected() {
        object[object.length - ObjectFormat.FOOTER_SIZE + 7] ^= 0x04;

        assertOpenFails(object, "truncated or corrupt footer");
    }

    private void assertOpenFails(byte[] bytes, String message) {
        storage.put(KEY, bytes);
        assertFails(ObjectReader.open(storage, KEY, bytes.length), message);
    }

    private static void assertFails(CompletableFuture<?> future, String message) {
        assertThatThrownBy(future::join)
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOf(ObjectFormatException.class)
            .hasMessageContaining(message)
            .satisfies(e -> assertThat(((ObjectFormatException) e).key()).isEqualTo(KEY));
    }
}
