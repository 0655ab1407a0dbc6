package io.lakestream.stream.object;

import static io.lakestream.stream.object.ObjectFormat.ENTRY_CRC_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_END_OFFSET_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_POSITION_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_RECORD_COUNT_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_SIZE_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_START_OFFSET_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_STREAM_ID_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.INDEX_ENTRY_SIZE;

import java.nio.ByteBuffer;

/**
 * One index entry: where a data block lies in its object, which offsets of which stream it
 * holds, and its CRC32C. The byte layout is in {@link ObjectFormat}.
 *
 * @param recordCount number of batches in the block
 */
public record DataBlockIndex(long streamId, long startOffset, long endOffset, int recordCount, long position,
                             int size, int crc) {

    /** The position just after the block. */
    public long endPosition() {
        return position + size;
    }

    void encodeTo(ByteBuffer out) {
        out.putLong(streamId)
            .putLong(startOffset)
            .putLong(endOffset)
            .putInt(recordCount)
            .putLong(position)
            .putInt(size)
            .putInt(crc);
    }

    /** Reads the entry that starts at absolute position {@code at}, without moving the position. */
    static DataBlockIndex decode(ByteBuffer index, int at) {
        assert index.limit() - at >= INDEX_ENTRY_SIZE;
        return new DataBlockIndex(
            index.getLong(at + ENTRY_STREAM_ID_OFFSET),
            index.getLong(at + ENTRY_START_OFFSET_OFFSET),
            index.getLong(at + ENTRY_END_OFFSET_OFFSET),
            index.getInt(at + ENTRY_RECORD_COUNT_OFFSET),
            index.getLong(at + ENTRY_POSITION_OFFSET),
            index.getInt(at + ENTRY_SIZE_OFFSET),
            index.getInt(at + ENTRY_CRC_OFFSET));
    }
}
