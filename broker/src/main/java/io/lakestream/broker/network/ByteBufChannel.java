package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into
 * Netty buffers: the response's header and fields, and its record sets, are copied once.
 *
 * <p>A response larger than {@value #MAX_PIECE_BYTES} bytes (a Fetch of many partitions)
 * goes into pieces of at most that size, joined in one {@link CompositeByteBuf} that the
 * channel writes with one gathering write. Netty's allocator pools buffers only up to about
 * that size: a 16 MiB buffer would be a new direct buffer each time, zeroed by the JDK and
 * unmapped by its cleaner, which cost about as much CPU as the copy itself. Single-threaded,
 * like the write it serves.
 */
public final class ByteBufChannel implements TransferableChannel {
    /** The largest buffer this channel asks for: what Netty's adaptive allocator still pools. */
    static final int MAX_PIECE_BYTES = 1 << 20;

    private final ByteBufAllocator allocator;
    private final List<ByteBuf> pieces = new ArrayList<>(1);
    /** Bytes of the send that no piece has room for yet. */
    private long unallocated;
    /** The piece being filled: the last of {@link #pieces}, or null before the first write. */
    private ByteBuf piece;

    private ByteBufChannel(ByteBufAllocator allocator, long size) {
        this.allocator = allocator;
        this.unallocated = size;
    }

    /**
     * The whole of {@code send} in buffers from {@code allocator}: one buffer, or a composite
     * of pieces for a large send. The caller owns the result and must release it (or pass it
     * on to the channel, which releases it once written).
     */
    public static ByteBuf serialize(ByteBufAllocator allocator, Send send) throws IOException {
        ByteBufChannel channel = new ByteBufChannel(allocator, send.size());
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
        } catch (IOException | RuntimeException e) {
            channel.pieces.forEach(ByteBuf::release);
            throw e;
        }
        return channel.joined();
    }

    private ByteBuf joined() {
        if (pieces.isEmpty()) {
            return allocator.buffer(0);
        }
        if (pieces.size() == 1) {
            return pieces.get(0);
        }
        CompositeByteBuf composite = allocator.compositeBuffer(pieces.size());
        composite.addComponents(true, pieces);
        return composite;
    }

    @Override
    public int write(ByteBuffer source) {
        int length = source.remaining();
        while (source.hasRemaining()) {
            if (piece == null || !piece.isWritable()) {
                nextPiece();
            }
            int room = piece.writableBytes();
            if (source.remaining() <= room) {
                piece.writeBytes(source);
            } else {
                piece.writeBytes(source.slice(source.position(), room));
                source.position(source.position() + room);
            }
        }
        return length;
    }

    /** Allocates the next piece, sized for what is left of the send. */
    private void nextPiece() {
        if (unallocated <= 0) {
            throw new IllegalStateException("The send wrote more bytes than its size said");
        }
        int size = (int) Math.min(MAX_PIECE_BYTES, unallocated);
        piece = allocator.buffer(size, size);
        pieces.add(piece);
        unallocated -= size;
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
