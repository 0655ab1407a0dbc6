package io.lakestream.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.junit.jupiter.api.Test;

class ByteBufChannelTest {
    /** Remembers every buffer it hands out, so a test can check their sizes and reference counts. */
    private final List<ByteBuf> allocated = new ArrayList<>();
    private final ByteBufAllocator allocator = new AbstractByteBufAllocator(true) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return remember(Unpooled.buffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return remember(Unpooled.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    };

    private ByteBuf remember(ByteBuf buffer) {
        allocated.add(buffer);
        return buffer;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** {@code bytes} as a send of several buffers, split at uneven places. */
    private static Send sendOf(byte[] bytes) {
        int third = bytes.length / 3;
        return new ByteBufferSend(ByteBuffer.wrap(bytes, 0, third).slice(),
                ByteBuffer.wrap(bytes, third, 7).slice(),
                ByteBuffer.wrap(bytes, third + 7, bytes.length - third - 7).slice());
    }

    @Test
    void aSmallSendIsOneBufferOfItsSize() throws IOException {
        byte[] bytes = randomBytes(10_000);

        ByteBuf buffer = ByteBufChannel.serialize(allocator, sendOf(bytes));

        assertThat(buffer).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(buffer.capacity()).isEqualTo(bytes.length);
        assertThat(ByteBufUtil.getBytes(buffer)).isEqualTo(bytes);
        buffer.release();
    }

    @Test
    void aLargeSendIsSplitIntoPiecesNoLargerThanTheAllocatorPools() throws IOException {
        byte[] bytes = randomBytes(2 * ByteBufChannel.MAX_PIECE_BYTES + 12_345);

        ByteBuf buffer = ByteBufChannel.serialize(allocator, sendOf(bytes));

        assertThat(buffer).isInstanceOf(CompositeByteBuf.class);
        assertThat(((CompositeByteBuf) buffer).numComponents()).isEqualTo(3);
        assertThat(allocated).extracting(ByteBuf::capacity)
                .containsExactly(ByteBufChannel.MAX_PIECE_BYTES, ByteBufChannel.MAX_PIECE_BYTES, 12_345);
        assertThat(ByteBufUtil.getBytes(buffer)).isEqualTo(bytes);
        buffer.release();
        assertThat(allocated).allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
    }

    @Test
    void aSendThatFailsHalfwayLeavesNoBufferAllocated() {
        byte[] bytes = randomBytes(2 * ByteBufChannel.MAX_PIECE_BYTES + 100);
        Send failing = new ByteBufferSend(ByteBuffer.wrap(bytes)) {
            private boolean first = true;

            @Override
            public long writeTo(TransferableChannel channel) throws IOException {
                if (first) {
                    first = false;
                    // Past one piece, as a channel that takes only part of a write would.
                    return channel.write(ByteBuffer.wrap(bytes, 0, bytes.length / 2));
                }
                throw new IOException("record set unreadable");
            }
        };

        assertThatThrownBy(() -> ByteBufChannel.serialize(allocator, failing)).hasMessage("record set unreadable");
        assertThat(allocated).isNotEmpty().allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
    }

    @Test
    void largeReadOnlyDirectViewsAreSharedAndEverythingElseIsCopiedIntoPiecesOfItsSize() throws IOException {
        byte[] header = randomBytes(100);
        ByteBuffer mapped = ByteBuffer.allocateDirect(ByteBufChannel.MIN_SHARED_BYTES).put(randomBytes(4096)).flip();
        ByteBuffer smallDirect = ByteBuffer.allocateDirect(ByteBufChannel.MIN_SHARED_BYTES - 1)
            .put(randomBytes(4095)).flip();
        ByteBuffer writableDirect = ByteBuffer.allocateDirect(8192).put(randomBytes(8192)).flip();
        byte[] trailer = randomBytes(50);
        Send send = new ByteBufferSend(ByteBuffer.wrap(header), mapped.asReadOnlyBuffer(),
            smallDirect.asReadOnlyBuffer(), writableDirect, ByteBuffer.wrap(trailer));
        byte[] expected = concat(header, bytesOf(mapped), bytesOf(smallDirect), bytesOf(writableDirect), trailer);

        ByteBuf buffer = ByteBufChannel.serialize(allocator, send);

        assertThat(buffer).isInstanceOf(CompositeByteBuf.class);
        assertThat(buffer.isDirect()).as("Netty copies a buffer that is not all direct").isTrue();
        assertThat(ByteBufUtil.getBytes(buffer)).isEqualTo(expected);
        // Header; then the small view, the writable one and the trailer after the shared view.
        assertThat(allocated).extracting(ByteBuf::capacity).containsExactly(100, 4095 + 8192 + 50);
        // Only the shared view shows a later change to its memory.
        mapped.put(0, (byte) (mapped.get(0) + 1));
        smallDirect.put(0, (byte) (smallDirect.get(0) + 1));
        writableDirect.put(0, (byte) (writableDirect.get(0) + 1));
        expected[100] = mapped.get(0);
        assertThat(ByteBufUtil.getBytes(buffer)).isEqualTo(expected);
        buffer.release();
        assertThat(allocated).allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer joined = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(part -> part.length).sum());
        for (byte[] part : parts) {
            joined.put(part);
        }
        return joined.array();
    }

    @Test
    void aSendThatWritesMoreThanItsSizeFails() {
        Send overlong = new ByteBufferSend(ByteBuffer.wrap(new byte[10])) {
            @Override
            public long writeTo(TransferableChannel channel) throws IOException {
                return channel.write(ByteBuffer.wrap(new byte[11]));
            }
        };

        assertThatThrownBy(() -> ByteBufChannel.serialize(allocator, overlong))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("more bytes than its size");
        assertThat(allocated).allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
    }
}
