package io.lakestream.wal.block;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The contents of one header slot. The layout is drawn in the {@link BlockWal} class
 * javadoc; the offsets here name its rows. All integers are big-endian.
 *
 * @param capacity     size of the data region in bytes
 * @param sequence     grows by one with every header write; the valid slot with the higher
 *                     sequence is the current one
 * @param epoch        raised every time the log is recovered; stamped on every frame
 *                     written until the next recovery
 * @param trimPosition records before this position are released
 * @param trimEpoch    no frame of the log at or after the trim point has a lower epoch:
 *                     recovery starts as if the frame before the trim point had it, so a frame
 *                     left there by an earlier session is not taken for part of the log
 */
record WalHeader(long capacity, long sequence, int epoch, long trimPosition, int trimEpoch) {

    static final int MAGIC = 0x4C53574C; // "LSWL"
    /** Version 2 starts every group on a block boundary, after a skip frame. */
    static final int FORMAT_VERSION = 2;
    /** Frames packed end to end; read as version 2, which adds only the skip frame. */
    static final int FORMAT_VERSION_PACKED = 1;

    static final int CRC_OFFSET = 0;
    static final int CRC_LENGTH = 4;
    static final int MAGIC_OFFSET = CRC_OFFSET + CRC_LENGTH;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 4;
    static final int CAPACITY_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int CAPACITY_LENGTH = 8;
    static final int SEQUENCE_OFFSET = CAPACITY_OFFSET + CAPACITY_LENGTH;
    static final int SEQUENCE_LENGTH = 8;
    static final int EPOCH_OFFSET = SEQUENCE_OFFSET + SEQUENCE_LENGTH;
    static final int EPOCH_LENGTH = 4;
    static final int TRIM_POSITION_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int TRIM_POSITION_LENGTH = 8;
    /** A version 1 header ends here. */
    static final int SIZE_PACKED = TRIM_POSITION_OFFSET + TRIM_POSITION_LENGTH;
    static final int TRIM_EPOCH_OFFSET = SIZE_PACKED;
    static final int TRIM_EPOCH_LENGTH = 4;
    static final int SIZE = TRIM_EPOCH_OFFSET + TRIM_EPOCH_LENGTH;

    /** The header of a newly created log. */
    static WalHeader initial(long capacity) {
        return new WalHeader(capacity, 1, 0, 0, 0);
    }

    WalHeader withTrimPosition(long newTrimPosition, int newTrimEpoch) {
        return new WalHeader(capacity, sequence + 1, epoch, newTrimPosition, newTrimEpoch);
    }

    WalHeader withEpoch(int newEpoch) {
        return new WalHeader(capacity, sequence + 1, newEpoch, trimPosition, trimEpoch);
    }

    /** Encodes this header into a new buffer of {@link #SIZE} bytes, ready to write. */
    ByteBuffer encode() {
        ByteBuffer buffer = ByteBuffer.allocate(SIZE);
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buffer.putLong(CAPACITY_OFFSET, capacity);
        buffer.putLong(SEQUENCE_OFFSET, sequence);
        buffer.putInt(EPOCH_OFFSET, epoch);
        buffer.putLong(TRIM_POSITION_OFFSET, trimPosition);
        buffer.putInt(TRIM_EPOCH_OFFSET, trimEpoch);
        buffer.putInt(CRC_OFFSET, checksum(buffer, SIZE));
        return buffer;
    }

    /**
     * Decodes the {@link #SIZE} bytes at index 0 of {@code buffer}.
     *
     * @throws InvalidHeaderException saying what is wrong if the bytes are not a valid header
     */
    static WalHeader decode(ByteBuffer buffer) throws InvalidHeaderException {
        if (buffer.limit() < SIZE_PACKED) {
            throw new InvalidHeaderException("only " + buffer.limit() + " of " + SIZE_PACKED + " bytes");
        }
        // Which bytes the CRC covers depends on the version, which the CRC then vouches for.
        boolean packed = buffer.getInt(FORMAT_VERSION_OFFSET) == FORMAT_VERSION_PACKED;
        int size = packed ? SIZE_PACKED : SIZE;
        if (buffer.limit() < size) {
            throw new InvalidHeaderException("only " + buffer.limit() + " of " + size + " bytes");
        }
        if (buffer.getInt(CRC_OFFSET) != checksum(buffer, size)) {
            throw new InvalidHeaderException("CRC mismatch");
        }
        int magic = buffer.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new InvalidHeaderException("bad magic 0x" + Integer.toHexString(magic));
        }
        int version = buffer.getInt(FORMAT_VERSION_OFFSET);
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_PACKED) {
            throw new InvalidHeaderException("unsupported format version " + version + ", expected "
                    + FORMAT_VERSION_PACKED + " or " + FORMAT_VERSION);
        }
        return new WalHeader(
                buffer.getLong(CAPACITY_OFFSET),
                buffer.getLong(SEQUENCE_OFFSET),
                buffer.getInt(EPOCH_OFFSET),
                buffer.getLong(TRIM_POSITION_OFFSET),
                packed ? 0 : buffer.getInt(TRIM_EPOCH_OFFSET));
    }

    private static int checksum(ByteBuffer buffer, int size) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(MAGIC_OFFSET).limit(size));
        return (int) crc.getValue();
    }

    /** The bytes of a header slot are not a valid header; the message says why. */
    static final class InvalidHeaderException extends Exception {
        InvalidHeaderException(String reason) {
            super(reason);
        }
    }
}
