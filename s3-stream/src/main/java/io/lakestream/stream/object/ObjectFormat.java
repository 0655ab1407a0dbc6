package io.lakestream.stream.object;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The byte layout of a data object: what {@link ObjectWriter} writes and {@link ObjectReader}
 * reads. All integers are big-endian.
 *
 * <pre>
 *  +--------------+-----+--------------+-------------+--------+
 *  | data block 0 | ... | data block n | index block | footer |
 *  +--------------+-----+--------------+-------------+--------+
 *  0                                   indexPosition          objectSize - FOOTER_SIZE
 * </pre>
 *
 * <h2>Data block</h2>
 * Consecutive {@link io.lakestream.stream.StreamRecordBatch} encodings of ONE stream with
 * contiguous offsets, and nothing else: no header, so adjacent blocks can be fetched with one
 * ranged GET and split by their index entries. A block is closed once adding the next batch
 * would take it past the writer's target size; a batch bigger than the target is a block of
 * its own. The block's CRC32C lives in its index entry.
 *
 * <h2>Index block</h2>
 * <pre>
 *  offset        size  field
 *   0             44   entry 0
 *  ...
 *   44 * (n-1)    44   entry n-1
 *   44 * n         4   crc         (CRC32C of the n entries)
 * </pre>
 * Entries are sorted by (streamId, startOffset); within a stream they are contiguous in
 * offsets. The entry count follows from the index size given in the footer.
 *
 * <h2>Index entry</h2>
 * <pre>
 *  offset  size  field
 *   0       8    streamId
 *   8       8    startOffset   (base offset of the block's first batch)
 *  16       8    endOffset     (end offset of the block's last batch, exclusive)
 *  24       4    recordCount   (number of batches in the block)
 *  28       8    position      (of the block in the object)
 *  36       4    size          (of the block in bytes)
 *  40       4    crc           (CRC32C of the block's bytes)
 * </pre>
 *
 * <h2>Footer</h2>
 * <pre>
 *  offset  size  field
 *   0       8    indexPosition
 *   8       4    indexSize     (entries and their crc)
 *  12       4    version       (currently 1)
 *  16       8    magic         ("LSOBJECT" in ASCII)
 * </pre>
 * The index block must end exactly where the footer begins; a reader checks the magic, then
 * the version, then that the index fits, so a truncated or foreign object fails with an
 * {@link ObjectFormatException} before any data is trusted. Flipped bits in a block or in
 * the index fail their CRC; a bit flipped in the footer breaks the magic, the version, the
 * index bounds or the index CRC.
 */
public final class ObjectFormat {
    private ObjectFormat() {}

    public static final int VERSION = 1;
    /** "LSOBJECT" in ASCII. */
    public static final long MAGIC = 0x4C534F424A454354L;

    static final int ENTRY_STREAM_ID_OFFSET = 0;
    static final int ENTRY_START_OFFSET_OFFSET = 8;
    static final int ENTRY_END_OFFSET_OFFSET = 16;
    static final int ENTRY_RECORD_COUNT_OFFSET = 24;
    static final int ENTRY_POSITION_OFFSET = 28;
    static final int ENTRY_SIZE_OFFSET = 36;
    static final int ENTRY_CRC_OFFSET = 40;
    public static final int INDEX_ENTRY_SIZE = 44;

    public static final int INDEX_CRC_SIZE = 4;

    static final int FOOTER_INDEX_POSITION_OFFSET = 0;
    static final int FOOTER_INDEX_SIZE_OFFSET = 8;
    static final int FOOTER_VERSION_OFFSET = 12;
    static final int FOOTER_MAGIC_OFFSET = 16;
    public static final int FOOTER_SIZE = 24;

    /** Default target size of a data block. */
    public static final int DEFAULT_BLOCK_SIZE = 512 * 1024;

    /** CRC32C of the buffer's remaining bytes; does not move its position. */
    static int crc32c(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }
}
