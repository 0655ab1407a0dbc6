package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into a
 * Netty buffer: the response's header and fields, and its record sets, land in one
 * {@link ByteBuf} with one copy. Single-threaded, like the write it serves.
 */
final class ByteBufChannel implements TransferableChannel {
    private final ByteBuf target;

    ByteBufChannel(ByteBuf target) {
        this.target = target;
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
