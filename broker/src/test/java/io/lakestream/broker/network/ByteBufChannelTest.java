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
        byte[] bytes = randomBytes(ByteBufChannel.MAX_PIECE_BYTES + 100);
        Send failing = new ByteBufferSend(ByteBuffer.wrap(bytes)) {
            private boolean first = true;

            @Override
            public long writeTo(TransferableChannel channel) throws IOException {
                if (first) {
                    first = false;
                    // Half the bytes, as a channel that takes only part of a write would.
                    return channel.write(ByteBuffer.wrap(bytes, 0, bytes.length / 2));
                }
                throw new IOException("record set unreadable");
            }
        };

        assertThatThrownBy(() -> ByteBufChannel.serialize(allocator, failing)).hasMessage("record set unreadable");
        assertThat(allocated).isNotEmpty().allSatisfy(piece -> assertThat(piece.refCnt()).isZero());
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
