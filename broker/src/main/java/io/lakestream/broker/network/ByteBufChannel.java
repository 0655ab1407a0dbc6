package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into a
 * Netty buffer: the response's header and fields, and its record sets, land in one
 * {@link ByteBuf} with one copy. Single-threaded, like the write it serves.
 */
public final class ByteBufChannel implements TransferableChannel {
    private final ByteBuf target;

    private ByteBufChannel(ByteBuf target) {
        this.target = target;
    }

    /**
     * The whole of {@code send} in one buffer from {@code allocator}, which the caller owns and
     * must release (or pass on to the channel, which releases it once written).
     */
    public static ByteBuf serialize(ByteBufAllocator allocator, Send send) throws IOException {
        ByteBuf buffer = allocator.buffer((int) send.size());
        try {
            ByteBufChannel channel = new ByteBufChannel(buffer);
            while (!send.completed()) {
                send.writeTo(channel);
            }
            return buffer;
        } catch (IOException | RuntimeException e) {
            buffer.release();
            throw e;
        }
    }

    @Override
    public int write(ByteBuffer source) {
        int length = source.remaining();
        target.writeBytes(source);
        return length;
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) {
        long written = 0;
        for (int i = offset; i < offset + length; i++) {
            written += write(sources[i]);
        }
        return written;
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
