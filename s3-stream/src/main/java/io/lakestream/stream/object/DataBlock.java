package io.lakestream.stream.object;

import io.lakestream.stream.StreamRecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one data block, checked against its index entry's CRC when created. Batches
 * are decoded on demand as views of the block's bytes: no payload is copied. Immutable and
 * thread-safe.
 */
public final class DataBlock {
    private final String key;
    private final DataBlockIndex index;
    private final ByteBuffer data;

    private DataBlock(String key, DataBlockIndex index, ByteBuffer data) {
        this.key = key;
        this.index = index;
        this.data = data;
    }

    /**
     * Wraps the block's bytes (the buffer's remaining bytes) without copying.
     *
     * @throws ObjectFormatException if the size or the CRC32C differs from the index entry
     */
    public static DataBlock verify(String key, DataBlockIndex index, ByteBuffer data) {
        if (data.remaining() != index.size()) {
            throw new ObjectFormatException(key, "block at position " + index.position() + " has "
                + data.remaining() + " bytes, its index entry says " + index.size());
        }
        int crc = ObjectFormat.crc32c(data);
        if (crc != index.crc()) {
            throw new ObjectFormatException(key, String.format(
                "block CRC mismatch at position %d (stream %d, offsets [%d, %d)): stored %08x, computed %08x",
                index.position(), index.streamId(), index.startOffset(), index.endOffset(), index.crc(), crc));
        }
        return new DataBlock(key, index, data.slice().asReadOnlyBuffer());
    }

    public DataBlockIndex index() {
        return index;
    }

    /** Bytes of the block. */
    public int size() {
        return index.size();
    }

    /**
     * A block whose bytes are its own, for a block sliced out of a larger read that should
     * not keep the rest of that read in memory. A block outside the heap (a mapped file range,
     * see {@code LocalDirectoryObjectStorage}) is returned as it is: the rest of its read is
     * the kernel's page cache, which the kernel can drop, not memory this process holds.
     */
    public DataBlock detached() {
        if (data.isDirect()) {
            return this;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        return new DataBlock(key, index, copy.asReadOnlyBuffer());
    }

    /**
     * The block's batches, in offset order.
     *
     * @throws ObjectFormatException if the batches do not match the index entry (stream,
     *     contiguous offsets, count); the CRC matched, so this means the writer was wrong
     */
    public List<StreamRecordBatch> records() {
        List<StreamRecordBatch> records = new ArrayList<>(index.recordCount());
        ByteBuffer in = data.duplicate();
        long nextOffset = index.startOffset();
        while (in.hasRemaining()) {
            StreamRecordBatch batch;
            try {
                batch = StreamRecordBatch.decode(in);
            } catch (IllegalArgumentException e) {
                throw mismatch("undecodable batch at block byte " + in.position() + ": " + e.getMessage());
            }
            if (batch.streamId() != index.streamId() || batch.baseOffset() != nextOffset) {
                throw mismatch("found " + batch + " where offset " + nextOffset + " was expected");
            }
            nextOffset = batch.endOffset();
            records.add(batch);
        }
        if (nextOffset != index.endOffset() || records.size() != index.recordCount()) {
            throw mismatch("batches end at offset " + nextOffset + " after " + records.size() + " batches");
        }
        return records;
    }

    private ObjectFormatException mismatch(String problem) {
        return new ObjectFormatException(key, "block at position " + index.position() + " does not match its index "
            + index + ": " + problem);
    }

    @Override
    public String toString() {
        return "DataBlock(" + key + ", " + index + ")";
    }
}
