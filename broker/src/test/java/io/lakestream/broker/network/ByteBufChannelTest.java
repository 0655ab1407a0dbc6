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
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.TransferableChannel;
import org.junit.jupiter.api.Test;

/** What {@link ByteBufChannel} shares with a send's buffers and what it copies. */
class ByteBufChannelTest {
    private static final ByteBufAllocator ALLOCATOR = ByteBufAllocator.DEFAULT;
    private static final Random RANDOM = new Random(42);

    private static ByteBuffer direct(int size) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        buffer.put(bytes(size)).flip();
        return buffer;
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] contentOf(ByteBuffer... buffers) {
        int size = Arrays.stream(buffers).mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer buffer : buffers) {
            all.put(buffer.duplicate());
        }
        return all.array();
    }

    @Test
    void aLargeDirectBufferIsSentFromWhereItLiesAndTheRestIsCopied() throws Exception {
        ByteBuffer header = ByteBuffer.wrap(bytes(40));
        ByteBuffer batch = direct(ByteBufChannel.ZERO_COPY_MIN_BYTES * 4);
        ByteBuffer smallBatch = direct(ByteBufChannel.ZERO_COPY_MIN_BYTES - 1);
        ByteBuffer readOnlyBatch = direct(ByteBufChannel.ZERO_COPY_MIN_BYTES).asReadOnlyBuffer();
        byte[] expected = contentOf(header, batch, smallBatch, readOnlyBatch);

        ByteBuf sent = ByteBufChannel.serialize(ALLOCATOR, new ByteBufferSend(header.duplicate(), batch.duplicate(),
            smallBatch.duplicate(), readOnlyBatch.duplicate()));
        try {
            assertThat(ByteBufUtil.getBytes(sent)).isEqualTo(expected);
            assertThat(sent.isDirect()).as("a socket write takes it as it is").isTrue();
            // Shared: a change to the batch shows in the response; copied: a change does not.
            int batchStart = 40;
            int smallStart = batchStart + batch.remaining();
            batch.put(0, (byte) (batch.get(0) + 1));
            smallBatch.put(0, (byte) (smallBatch.get(0) + 1));
            header.put(0, (byte) (header.get(0) + 1));
            assertThat(sent.getByte(batchStart)).isEqualTo(batch.get(0));
            assertThat(sent.getByte(smallStart)).isEqualTo(expected[smallStart]);
            assertThat(sent.getByte(0)).isEqualTo(expected[0]);
            // The copied header, the batch, the copied small batch, the read-only batch.
            assertThat(((CompositeByteBuf) sent).numComponents()).isEqualTo(4);
        } finally {
            assertThat(sent.release()).isTrue();
        }
    }

    @Test
    void heapBuffersAreCopiedIntoPooledDirectBuffersOfAtMostTheCopySize() throws Exception {
        ByteBuffer large = ByteBuffer.wrap(bytes(ByteBufChannel.COPY_BUFFER_BYTES * 2 + 123));
        ByteBuffer tail = ByteBuffer.wrap(bytes(17));
        byte[] expected = contentOf(large, tail);

        ByteBuf sent = ByteBufChannel.serialize(ALLOCATOR, new ByteBufferSend(large.duplicate(), tail.duplicate()));
        try {
            assertThat(ByteBufUtil.getBytes(sent)).isEqualTo(expected);
            CompositeByteBuf composite = (CompositeByteBuf) sent;
            assertThat(composite.numComponents()).isEqualTo(3);
            for (int i = 0; i < composite.numComponents(); i++) {
                assertThat(composite.internalComponent(i).isDirect()).isTrue();
                assertThat(composite.internalComponent(i).capacity()).isLessThanOrEqualTo(ByteBufChannel.COPY_BUFFER_BYTES);
            }
        } finally {
            assertThat(sent.release()).isTrue();
        }
    }

    @Test
    void aSendThatFailsHalfwayReleasesWhatWasWritten() {
        ByteBuffer header = ByteBuffer.wrap(bytes(10));
        ByteBuf[] partial = new ByteBuf[1];
        ByteBufAllocator tracking = new AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return Unpooled.buffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                partial[0] = Unpooled.directBuffer(initialCapacity, maxCapacity);
                return partial[0];
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        ByteBufferSend failing = new ByteBufferSend(header) {
            @Override
            public long writeTo(TransferableChannel channel) throws IOException {
                super.writeTo(channel);
                throw new IOException("the response cannot be written");
            }
        };
        assertThatThrownBy(() -> ByteBufChannel.serialize(tracking, failing))
            .hasMessageContaining("cannot be written");
        assertThat(partial[0].refCnt()).isZero();
    }
}
