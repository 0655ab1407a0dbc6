package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into
 * Netty buffers: the response's header and fields, and record sets in the heap, are copied
 * once; record batches that are read-only views outside the heap are not copied at all.
 *
 * <p>Those views are of mapped object files (the fetched data of a local object store): the
 * channel writes them to the socket straight from the mapping, as components of a
 * {@link CompositeByteBuf}, which saves a copy of every byte such a Fetch returns. They are
 * immutable, as {@code ReadResult} requires of every batch it holds, so they may be read
 * after this call returns, when the socket takes them. Buffers in the heap must be copied
 * here anyway: Netty copies any that reach the socket into a direct buffer of their size.
 *
 * <p>Copied bytes go into pieces of at most {@value #MAX_PIECE_BYTES} bytes, each sized for
 * the bytes it holds. Netty's allocator pools buffers only up to about that size: a 16 MiB
 * buffer would be a new direct buffer each time, zeroed by the JDK and unmapped by its
 * cleaner, which cost about as much CPU as the copy itself. To size a piece before copying,
 * the channel keeps views of what it was given until the send completes; kafka-clients'
 * sends never change a buffer once they have handed it over. Single-threaded, like the
 * write it serves.
 */
public final class ByteBufChannel implements TransferableChannel {
    /** The largest buffer this channel asks for: what Netty's adaptive allocator still pools. */
    static final int MAX_PIECE_BYTES = 1 << 20;
    /** Smaller views are copied: below about this size a copy costs less than a component. */
    static final int MIN_SHARED_BYTES = 4 << 10;

    private final ByteBufAllocator allocator;
    /** The response so far: pieces and shared views, in order. */
    private final List<ByteBuf> components = new ArrayList<>(1);
    /** Views of the bytes written since the last piece, to be copied into the next one. */
    private final List<ByteBuffer> toCopy = new ArrayList<>();
    private int toCopyBytes;
    /** Bytes of the send not written yet. */
    private long unwritten;

    private ByteBufChannel(ByteBufAllocator allocator, long size) {
        this.allocator = allocator;
        this.unwritten = size;
    }

    /**
     * The whole of {@code send} in buffers from {@code allocator}: one buffer, or a composite
     * of pieces and shared views. The caller owns the result and must release it (or pass it
     * on to the channel, which releases it once written).
     */
    public static ByteBuf serialize(ByteBufAllocator allocator, Send send) throws IOException {
        ByteBufChannel channel = new ByteBufChannel(allocator, send.size());
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
            channel.copyPending();
        } catch (IOException | RuntimeException e) {
            channel.components.forEach(ByteBuf::release);
            throw e;
        }
        return channel.joined();
    }

    private ByteBuf joined() {
        if (components.isEmpty()) {
            return allocator.buffer(0);
        }
        if (components.size() == 1) {
            return components.get(0);
        }
        CompositeByteBuf composite = allocator.compositeBuffer(components.size());
        composite.addComponents(true, components);
        return composite;
    }

    @Override
    public int write(ByteBuffer source) {
        int length = source.remaining();
        if (length > unwritten) {
            throw new IllegalStateException("The send wrote more bytes than its size said");
        }
        unwritten -= length;
        if (length >= MIN_SHARED_BYTES && source.isDirect() && source.isReadOnly()) {
            copyPending();
            components.add(Unpooled.wrappedBuffer(source.slice()));
        } else {
            for (int at = source.position(); at < source.limit(); ) {
                if (toCopyBytes == MAX_PIECE_BYTES) {
                    copyPending();
                }
                int take = Math.min(source.limit() - at, MAX_PIECE_BYTES - toCopyBytes);
                toCopy.add(source.slice(at, take));
                toCopyBytes += take;
                at += take;
            }
        }
        source.position(source.limit());
        return length;
    }

    /** Copies the bytes written since the last piece into a new piece of their size. */
    private void copyPending() {
        if (toCopyBytes == 0) {
            return;
        }
        ByteBuf piece = allocator.buffer(toCopyBytes, toCopyBytes);
        components.add(piece);
        for (ByteBuffer view : toCopy) {
            piece.writeBytes(view);
        }
        toCopy.clear();
        toCopyBytes = 0;
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
        // The buffers belong to the caller.
    }
}
