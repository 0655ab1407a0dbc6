package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into a
 * Netty buffer without copying its record batches: a direct buffer of at least
 * {@link #ZERO_COPY_MIN_BYTES} (a batch read from a mapped object) becomes a component of the
 * response as it is, and the socket write gathers it from where it lies, as Kafka's
 * {@code sendfile} does from a segment. Everything else (the header and fields, small batches,
 * heap buffers, which a socket write would copy anyway) is copied into pooled direct buffers.
 * A response holds its batches only until written, and batches are immutable, so handing out
 * the buffers themselves is safe. Single-threaded, like the write it serves.
 */
public final class ByteBufChannel implements TransferableChannel {
    /** Below this a copy costs less than a component and an I/O vector of its own. */
    static final int ZERO_COPY_MIN_BYTES = 4 * 1024;
    /** The most one pooled buffer of copied bytes holds; more start another. */
    static final int COPY_BUFFER_BYTES = 1024 * 1024;

    private final ByteBufAllocator allocator;
    private final CompositeByteBuf target;
    private final long size;
    private long written;
    /** Where copied bytes go, until it is full or a buffer is added as it is. */
    private ByteBuf copies;

    private ByteBufChannel(ByteBufAllocator allocator, long size) {
        this.allocator = allocator;
        this.target = allocator.compositeDirectBuffer(Integer.MAX_VALUE);
        this.size = size;
    }

    /**
     * The whole of {@code send} in one buffer from {@code allocator}, which the caller owns and
     * must release (or pass on to the channel, which releases it once written).
     */
    public static ByteBuf serialize(ByteBufAllocator allocator, Send send) throws IOException {
        ByteBufChannel channel = new ByteBufChannel(allocator, send.size());
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
            channel.addCopies();
            return channel.target;
        } catch (IOException | RuntimeException e) {
            channel.target.release();
            if (channel.copies != null) {
                channel.copies.release();
            }
            throw e;
        }
    }

    @Override
    public int write(ByteBuffer source) {
        int length = source.remaining();
        if (source.isDirect() && length >= ZERO_COPY_MIN_BYTES) {
            addCopies();
            target.addComponent(true, Unpooled.wrappedBuffer(source.slice()));
            source.position(source.limit());
        } else {
            copy(source);
        }
        written += length;
        return length;
    }

    private void copy(ByteBuffer source) {
        while (source.hasRemaining()) {
            if (copies == null || !copies.isWritable()) {
                addCopies();
                copies = allocator.directBuffer((int) Math.max(1, Math.min(size - written, COPY_BUFFER_BYTES)));
            }
            int length = Math.min(source.remaining(), copies.writableBytes());
            int limit = source.limit();
            source.limit(source.position() + length);
            copies.writeBytes(source);
            source.limit(limit);
        }
    }

    private void addCopies() {
        if (copies != null) {
            target.addComponent(true, copies);
            copies = null;
        }
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(sources[i]);
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] sources) {
        return write(sources, 0, sources.length);
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        // The broker never sends file-backed records: fetched data is in memory.
        throw new UnsupportedOperationException("file-backed sends are not used by this broker");
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // The buffer belongs to the caller.
    }
}
