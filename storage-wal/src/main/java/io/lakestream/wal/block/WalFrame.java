package io.lakestream.wal.block;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes and checks the frames of the data region. The frame layout is drawn in the
 * {@link BlockWal} class javadoc; the offsets here name its rows. All integers are
 * big-endian.
 *
 * <p>Not thread-safe: the writer thread and the recovery scanner each use their own.
 */
final class WalFrame {

    static final int CRC_OFFSET = 0;
    static final int CRC_LENGTH = 4;
    static final int LENGTH_OFFSET = CRC_OFFSET + CRC_LENGTH;
    static final int LENGTH_LENGTH = 4;
    static final int POSITION_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
    static final int POSITION_LENGTH = 8;
    static final int EPOCH_OFFSET = POSITION_OFFSET + POSITION_LENGTH;
    static final int EPOCH_LENGTH = 4;
    static final int TYPE_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int TYPE_LENGTH = 1;
    static final int PAYLOAD_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    static final int HEADER_SIZE = PAYLOAD_OFFSET;

    /** A record appended by a caller. */
    static final byte TYPE_RECORD = 0;
    /** An empty frame that says "the rest of this lap is unused; continue at the next lap". */
    static final byte TYPE_PADDING = 1;
    /**
     * A frame whose payload (zeros) fills the rest of a group's last block, so that the next
     * group starts on a block boundary; recovery steps over it.
     */
    static final byte TYPE_SKIP = 2;

    private final CRC32C crc = new CRC32C();

    private WalFrame() {}

    static WalFrame create() {
        return new WalFrame();
    }

    static int frameSize(int payloadBytes) {
        return HEADER_SIZE + payloadBytes;
    }

    /**
     * Writes a record frame at {@code target}'s position and advances it. The payload is the
     * remaining bytes of {@code payload}, whose position is left unchanged.
     */
    void writeRecord(ByteBuffer target, long position, int epoch, ByteBuffer payload) {
        int start = target.position();
        int length = payload.remaining();
        writeHeader(target, start, length, position, epoch, TYPE_RECORD);
        target.put(start + PAYLOAD_OFFSET, payload, payload.position(), length);
        target.position(start + HEADER_SIZE + length);
        target.putInt(start + CRC_OFFSET, checksum(target, start, length));
    }

    /** Writes a padding frame at {@code target}'s position and advances it. */
    void writePadding(ByteBuffer target, long position, int epoch) {
        int start = target.position();
        writeHeader(target, start, 0, position, epoch, TYPE_PADDING);
        target.position(start + HEADER_SIZE);
        target.putInt(start + CRC_OFFSET, checksum(target, start, 0));
    }

    /**
     * Writes a skip frame of {@code frameSize} bytes (its payload zeros) at {@code target}'s
     * position and advances it.
     */
    void writeSkip(ByteBuffer target, long position, int epoch, int frameSize) {
        int start = target.position();
        int length = frameSize - HEADER_SIZE;
        writeHeader(target, start, length, position, epoch, TYPE_SKIP);
        WalFile.putZeros(target.position(start + PAYLOAD_OFFSET), length);
        target.putInt(start + CRC_OFFSET, checksum(target, start, length));
    }

    /**
     * Whether the CRC stored in {@code header} (a frame header at index 0) matches the
     * header's fields followed by {@code payload}'s remaining bytes. Leaves both buffers'
     * positions unchanged.
     */
    boolean crcMatches(ByteBuffer header, ByteBuffer payload) {
        crc.reset();
        crc.update(header.duplicate().position(LENGTH_OFFSET).limit(HEADER_SIZE));
        crc.update(payload.duplicate());
        return (int) crc.getValue() == header.getInt(CRC_OFFSET);
    }

    private static void writeHeader(ByteBuffer target, int start, int length, long position, int epoch, byte type) {
        target.putInt(start + LENGTH_OFFSET, length);
        target.putLong(start + POSITION_OFFSET, position);
        target.putInt(start + EPOCH_OFFSET, epoch);
        target.put(start + TYPE_OFFSET, type);
    }

    /** CRC32C of the frame at {@code start}, from the length field to the end of the payload. */
    private int checksum(ByteBuffer buffer, int start, int payloadLength) {
        // Narrow the buffer in place rather than slicing it: the append path allocates nothing.
        int position = buffer.position();
        int limit = buffer.limit();
        buffer.position(start + LENGTH_OFFSET).limit(start + HEADER_SIZE + payloadLength);
        crc.reset();
        crc.update(buffer);
        buffer.limit(limit).position(position);
        return (int) crc.getValue();
    }
}
