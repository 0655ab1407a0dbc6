package io.lakestream.stream.object;

import static io.lakestream.stream.object.ObjectFormat.ENTRY_END_OFFSET_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_SIZE_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_START_OFFSET_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.ENTRY_STREAM_ID_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.INDEX_CRC_SIZE;
import static io.lakestream.stream.object.ObjectFormat.INDEX_ENTRY_SIZE;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The verified index block of one object, read in place: entries are decoded only when
 * returned, so a cached index costs its bytes and nothing per entry. Immutable and
 * thread-safe.
 */
public final class ObjectIndex {
    private final ByteBuffer entries;
    private final int entryCount;

    private ObjectIndex(ByteBuffer entries) {
        this.entries = entries;
        this.entryCount = entries.remaining() / INDEX_ENTRY_SIZE;
    }

    /**
     * Checks the index block (its remaining bytes) and wraps it without copying.
     *
     * @param dataEnd where the data blocks end (the index position); every block must lie before it
     * @throws ObjectFormatException if the CRC does not match or an entry is out of place
     */
    static ObjectIndex parse(String key, ByteBuffer indexBlock, long dataEnd) {
        int entriesSize = indexBlock.remaining() - INDEX_CRC_SIZE;
        if (entriesSize < 0 || entriesSize % INDEX_ENTRY_SIZE != 0) {
            throw new ObjectFormatException(key, "index size " + indexBlock.remaining()
                + " is not a whole number of " + INDEX_ENTRY_SIZE + "-byte entries plus a " + INDEX_CRC_SIZE
                + "-byte CRC");
        }
        ByteBuffer entries = indexBlock.slice(indexBlock.position(), entriesSize);
        int expectedCrc = indexBlock.getInt(indexBlock.position() + entriesSize);
        int actualCrc = ObjectFormat.crc32c(entries);
        if (actualCrc != expectedCrc) {
            throw new ObjectFormatException(key, String.format(
                "index CRC mismatch: stored %08x, computed %08x over %d bytes", expectedCrc, actualCrc, entriesSize));
        }
        ObjectIndex index = new ObjectIndex(entries);
        index.checkEntries(key, dataEnd);
        return index;
    }

    private void checkEntries(String key, long dataEnd) {
        DataBlockIndex previous = null;
        for (int i = 0; i < entryCount; i++) {
            DataBlockIndex entry = entry(i);
            boolean wellFormed = entry.startOffset() < entry.endOffset() && entry.recordCount() > 0
                && entry.size() > 0 && entry.position() >= 0 && entry.endPosition() <= dataEnd;
            boolean ordered = previous == null || previous.streamId() < entry.streamId()
                || (previous.streamId() == entry.streamId() && previous.endOffset() <= entry.startOffset());
            if (!wellFormed || !ordered) {
                throw new ObjectFormatException(key, "index entry " + i + " " + entry
                    + (wellFormed ? " is out of order after " + previous : " is malformed (data ends at " + dataEnd + ")"));
            }
            previous = entry;
        }
    }

    public int entryCount() {
        return entryCount;
    }

    /** Bytes this index holds in memory. */
    public int sizeInBytes() {
        return entries.capacity();
    }

    public DataBlockIndex entry(int i) {
        return DataBlockIndex.decode(entries, i * INDEX_ENTRY_SIZE);
    }

    /**
     * The consecutive blocks of a stream that hold offsets of {@code [startOffset, endOffset)},
     * in offset order: the first one holds {@code startOffset} or is the first block after
     * it. Stops once the blocks add up to {@code maxBytes} (counted in block bytes), but
     * returns at least one block if any overlaps the range.
     *
     * @param endOffset exclusive; {@code -1} for no upper bound
     */
    public List<DataBlockIndex> find(long streamId, long startOffset, long endOffset, int maxBytes) {
        long end = endOffset < 0 ? Long.MAX_VALUE : endOffset;
        List<DataBlockIndex> found = new ArrayList<>();
        long bytes = 0;
        for (int i = firstEndingAfter(streamId, startOffset); i < entryCount; i++) {
            int at = i * INDEX_ENTRY_SIZE;
            if (entries.getLong(at + ENTRY_STREAM_ID_OFFSET) != streamId
                || entries.getLong(at + ENTRY_START_OFFSET_OFFSET) >= end || (bytes > 0 && bytes >= maxBytes)) {
                break;
            }
            found.add(DataBlockIndex.decode(entries, at));
            bytes += entries.getInt(at + ENTRY_SIZE_OFFSET);
        }
        return found;
    }

    /** The first entry after all entries of lower streams and of this stream ending at or before offset. */
    private int firstEndingAfter(long streamId, long offset) {
        int low = 0;
        int high = entryCount;
        while (low < high) {
            int mid = (low + high) >>> 1;
            int at = mid * INDEX_ENTRY_SIZE;
            long midStream = entries.getLong(at + ENTRY_STREAM_ID_OFFSET);
            boolean before = midStream < streamId
                || (midStream == streamId && entries.getLong(at + ENTRY_END_OFFSET_OFFSET) <= offset);
            if (before) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
