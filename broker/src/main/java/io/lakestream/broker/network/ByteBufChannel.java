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
 * Lets a kafka-clients {@link org.apache.kafka.common.network.Send} write a response into
 * Netty buffers the channel can write to its socket as they are.
 *
 * <p>Record sets outside the heap (object data mapped from local files) are not copied: the
 * response refers to them, and the socket write gathers them from where they lie, much as
 * Kafka sends segments with {@code sendfile}. Everything else (the header and fields, and
 * records in heap buffers such as the log cache's) is copied once, into direct buffers from
 * the channel's allocator. A response of more than one piece is a {@link CompositeByteBuf}.
 * Referring to a buffer is safe only because the buffers a response is given never change
 * (the contract of {@code BatchSequenceRecords}), and a reference keeps a mapping alive.
 *
 * <p>Single-threaded, like the write it serves.
 */
public final class ByteBufChannel implements TransferableChannel {
    /**
     * Smallest off-heap buffer referred to rather than copied: below it, a piece of its own
     * (and an entry in the socket's gathering write) costs more than copying its bytes.
     */
    static final int MIN_REFERENCED_BYTES = 4 << 10;
    /** Size of a piece for the few bytes of fields between two record sets. */
    static final int FIELDS_PIECE_BYTES = 8 << 10;

    private final ByteBufAllocator allocator;
    /** Bytes of the send not yet written: what a copy piece may have to hold at most. */
    private long unwritten;
    /** The pieces so far, once there is more than one; null until then. */
    private CompositeByteBuf pieces;
    /** The first piece, until {@link #pieces} exists. */
    private ByteBuf single;
    /** The copy piece being filled, not yet added to the pieces. */
    private ByteBuf copying;

    private ByteBufChannel(ByteBufAllocator allocator, long size) {
        this.allocator = allocator;
        this.unwritten = size;
    }

    /**
     * The whole of {@code send} in buffers from {@code allocator} (and references to the
     * send's own off-heap buffers), as one buffer that the caller owns and must release, or
     * pass on to the channel, which releases it once written.
     */
    public static ByteBuf serialize(ByteBufAllocator allocator, Send send) throws IOException {
        ByteBufChannel channel = new ByteBufChannel(allocator, send.size());
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
            return channel.finish();
        } catch (IOException | RuntimeException e) {
            channel.release();
            throw e;
        }
    }

    @Override
    public int write(ByteBuffer source) {
        int length = source.remaining();
        if (source.isDirect() && length >= MIN_REFERENCED_BYTES) {
            closeCopyPiece();
            addPiece(Unpooled.wrappedBuffer(source.slice()));
            source.position(source.limit());
        } else {
            copy(source);
        }
        unwritten -= length;
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

    /**
     * Copies {@code source} into the copy piece, and new ones as it fills. A record set's piece
     * takes everything the send has left, as if the rest were copied too, so that a response of
     * heap records is one buffer after its first fields (allocating many smaller pieces measured
     * slower in {@code FetchResponseBenchmark}); fields get a small piece.
     */
    private void copy(ByteBuffer source) {
        long left = unwritten;
        boolean records = source.remaining() >= MIN_REFERENCED_BYTES;
        while (source.hasRemaining()) {
            if (copying == null || !copying.isWritable()) {
                closeCopyPiece();
                copying = allocator.directBuffer((int) Math.min(left, records ? Integer.MAX_VALUE : FIELDS_PIECE_BYTES));
            }
            int taken = Math.min(source.remaining(), copying.writableBytes());
            copying.writeBytes(source.slice(source.position(), taken));
            source.position(source.position() + taken);
            left -= taken;
        }
    }

    /** Adds the copy piece being filled, if any, to the pieces. */
    private void closeCopyPiece() {
        if (copying != null) {
            ByteBuf filled = copying;
            copying = null;
            addPiece(filled);
        }
    }

    private void addPiece(ByteBuf piece) {
        if (single == null && pieces == null) {
            single = piece;
            return;
        }
        if (pieces == null) {
            pieces = allocator.compositeDirectBuffer(Integer.MAX_VALUE);
            pieces.addComponent(true, single);
            single = null;
        }
        pieces.addComponent(true, piece);
    }

    private ByteBuf finish() {
        closeCopyPiece();
        if (pieces != null) {
            return pieces;
        }
        return single != null ? single : Unpooled.EMPTY_BUFFER;
    }

    private void release() {
        for (ByteBuf owned : new ByteBuf[] {pieces, single, copying}) {
            if (owned != null) {
                owned.release();
            }
        }
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        // The broker never sends file-backed records: fetched data is in memory or mapped.
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
