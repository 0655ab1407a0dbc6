package io.lakestream.stream.wal;

import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The binary layout of {@link ObjectWal}'s objects. All integers are big-endian.
 *
 * <p>A <b>record object</b> holds one group commit: a header, then the records' frames
 * back to back.
 * <pre>
 * | offset | size | field          | meaning                                           |
 * |--------|------|----------------|---------------------------------------------------|
 * | 0      | 4    | magic          | {@link #OBJECT_MAGIC} ("LSWO")                    |
 * | 4      | 1    | version        | {@link #VERSION}                                  |
 * | 5      | 8    | start position | position of the first record; equals the key's    |
 * | 13     | ...  | frames         | one per record, until the end of the object       |
 * </pre>
 * A <b>frame</b>, at offset {@code f} in the object:
 * <pre>
 * | offset | size   | field   | meaning                                              |
 * |--------|--------|---------|------------------------------------------------------|
 * | 0      | 4      | crc     | CRC32C of the length field and the payload           |
 * | 4      | 4      | length  | payload bytes, {@code >= 0}                          |
 * | 8      | length | payload | the record as appended                               |
 * </pre>
 * Positions count frame bytes only: a record's position is the object's start position
 * plus {@code f - HEADER_SIZE}, and its next position adds {@code FRAME_OVERHEAD + length}.
 * So the next position of an object's last record is the start position of the next
 * object, and the header is not part of the position space.
 *
 * <p>The <b>trim marker</b> object:
 * <pre>
 * | offset | size | field      | meaning                                          |
 * |--------|------|------------|--------------------------------------------------|
 * | 0      | 4    | magic      | {@link #TRIM_MAGIC} ("LSWT")                     |
 * | 4      | 1    | version    | {@link #VERSION}                                 |
 * | 5      | 8    | trim point | records before this position are released        |
 * | 13     | 4    | crc        | CRC32C of bytes [0, 13)                          |
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
final class WalObjectFormat {
    static final int OBJECT_MAGIC = 0x4C53574F; // "LSWO"
    static final int TRIM_MAGIC = 0x4C535754; // "LSWT"
    static final byte VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    static final int START_POSITION_OFFSET = VERSION_OFFSET + Byte.BYTES;
    static final int HEADER_SIZE = START_POSITION_OFFSET + Long.BYTES;

    static final int FRAME_CRC_OFFSET = 0;
    static final int FRAME_LENGTH_OFFSET = FRAME_CRC_OFFSET + Integer.BYTES;
    static final int FRAME_PAYLOAD_OFFSET = FRAME_LENGTH_OFFSET + Integer.BYTES;
    static final int FRAME_OVERHEAD = FRAME_PAYLOAD_OFFSET;

    static final int TRIM_POINT_OFFSET = VERSION_OFFSET + Byte.BYTES;
    static final int TRIM_CRC_OFFSET = TRIM_POINT_OFFSET + Long.BYTES;
    static final int TRIM_MARKER_SIZE = TRIM_CRC_OFFSET + Integer.BYTES;

    private WalObjectFormat() {}

    /** Bytes a record of {@code payloadLength} takes in the position space and in an object. */
    static int frameSize(int payloadLength) {
        return FRAME_OVERHEAD + payloadLength;
    }

    /** The end position of an object of {@code objectSize} bytes starting at {@code start}. */
    static long endPosition(long start, long objectSize) {
        return start + Math.max(0, objectSize - HEADER_SIZE);
    }

    /** Encodes records (each buffer's remaining bytes) as one object starting at {@code start}. */
    static ByteBuffer encodeObject(long start, List<ByteBuffer> payloads) {
        int size = HEADER_SIZE;
        for (ByteBuffer payload : payloads) {
            size = Math.addExact(size, frameSize(payload.remaining()));
        }
        ByteBuffer object = ByteBuffer.allocate(size);
        object.putInt(OBJECT_MAGIC).put(VERSION).putLong(start);
        CRC32C crc = new CRC32C();
        for (ByteBuffer payload : payloads) {
            int frame = object.position();
            int length = payload.remaining();
            object.position(frame + FRAME_LENGTH_OFFSET);
            object.putInt(length).put(payload.duplicate());
            crc.reset();
            crc.update(object.duplicate().position(frame + FRAME_LENGTH_OFFSET).limit(object.position()));
            object.putInt(frame + FRAME_CRC_OFFSET, (int) crc.getValue());
        }
        return object.flip();
    }

    /**
     * The records of an object that should start at {@code start}, up to the first damage.
     * The payloads are slices of {@code object}.
     */
    static DecodedObject decodeObject(long start, ByteBuffer object) {
        List<WalRecord> records = new ArrayList<>();
        ByteBuffer in = object.duplicate();
        int base = in.position();
        if (in.remaining() < HEADER_SIZE || in.getInt(base + MAGIC_OFFSET) != OBJECT_MAGIC
                || in.get(base + VERSION_OFFSET) != VERSION
                || in.getLong(base + START_POSITION_OFFSET) != start) {
            return new DecodedObject(records, start, "bad header");
        }
        CRC32C crc = new CRC32C();
        int frame = base + HEADER_SIZE;
        long position = start;
        while (frame < in.limit()) {
            int available = in.limit() - frame;
            if (available < FRAME_OVERHEAD) {
                return new DecodedObject(records, position, "truncated frame header at position " + position);
            }
            int length = in.getInt(frame + FRAME_LENGTH_OFFSET);
            if (length < 0 || length > available - FRAME_OVERHEAD) {
                return new DecodedObject(records, position, "bad length " + length + " at position " + position);
            }
            crc.reset();
            crc.update(in.duplicate().position(frame + FRAME_LENGTH_OFFSET).limit(frame + FRAME_PAYLOAD_OFFSET + length));
            if ((int) crc.getValue() != in.getInt(frame + FRAME_CRC_OFFSET)) {
                return new DecodedObject(records, position, "CRC mismatch at position " + position);
            }
            ByteBuffer payload = in.slice(frame + FRAME_PAYLOAD_OFFSET, length).asReadOnlyBuffer();
            long next = position + frameSize(length);
            records.add(new WalRecord(position, next, payload));
            position = next;
            frame += frameSize(length);
        }
        return new DecodedObject(records, position, null);
    }

    static ByteBuffer encodeTrimMarker(long trimPoint) {
        ByteBuffer marker = ByteBuffer.allocate(TRIM_MARKER_SIZE);
        marker.putInt(TRIM_MAGIC).put(VERSION).putLong(trimPoint);
        CRC32C crc = new CRC32C();
        crc.update(marker.duplicate().flip());
        marker.putInt((int) crc.getValue());
        return marker.flip();
    }

    /** The trim point in a marker, or empty if the marker is damaged. */
    static OptionalLong decodeTrimMarker(ByteBuffer marker) {
        ByteBuffer in = marker.duplicate();
        int base = in.position();
        if (in.remaining() != TRIM_MARKER_SIZE || in.getInt(base + MAGIC_OFFSET) != TRIM_MAGIC
                || in.get(base + VERSION_OFFSET) != VERSION) {
            return OptionalLong.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(in.duplicate().limit(base + TRIM_CRC_OFFSET));
        if ((int) crc.getValue() != in.getInt(base + TRIM_CRC_OFFSET)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(in.getLong(base + TRIM_POINT_OFFSET));
    }

    /**
     * What decoding an object found.
     *
     * @param records the intact records, in order
     * @param endPosition the position after the last intact record
     * @param damage what ended decoding early, or {@code null} if the whole object is intact
     */
    record DecodedObject(List<WalRecord> records, long endPosition, String damage) {
        boolean intact() {
            return damage == null;
        }
    }
}
