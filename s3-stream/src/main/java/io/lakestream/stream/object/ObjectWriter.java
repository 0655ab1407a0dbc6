package io.lakestream.stream.object;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one data object (layout in {@link ObjectFormat}) from batches of one or many
 * streams. Batches are encoded straight into one buffer as they are added; the only objects
 * kept are one index entry per block and one range per stream. A writer told how many batch
 * bytes are coming sizes that buffer for them and their index at once: growing it by doubling
 * allocated about four times an object's size, in buffers the collector treats as humongous.
 *
 * <p>Batches of one stream must be added together and in contiguous offset order; streams
 * may come in any order (the index is sorted by stream id at {@link #build()}). An object
 * with no batches has nothing to commit, so {@link #build()} refuses it.
 *
 * <p>Not thread-safe: one thread fills a writer and builds it once.
 */
public final class ObjectWriter {
    private static final int MIN_INITIAL_CAPACITY = 4096;
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 8;

    private final int targetBlockSize;
    private ByteBuffer buffer;
    private final List<DataBlockIndex> blocks = new ArrayList<>();
    private final List<StreamOffsetRange> ranges = new ArrayList<>();
    private final Set<Long> writtenStreams = new HashSet<>();
    private boolean built;

    // The stream being written: valid when hasStream.
    private boolean hasStream;
    private long streamId;
    private long streamEpoch;
    private long streamStartOffset;
    private long nextOffset;

    // The open block: open when blockRecordCount > 0.
    private int blockPosition;
    private long blockStartOffset;
    private int blockRecordCount;

    public ObjectWriter() {
        this(ObjectFormat.DEFAULT_BLOCK_SIZE);
    }

    /** @param targetBlockSize a block is closed before a batch would take it past this size */
    public ObjectWriter(int targetBlockSize) {
        this(targetBlockSize, 0, 0);
    }

    /**
     * @param targetBlockSize a block is closed before a batch would take it past this size
     * @param expectedBatchBytes the {@linkplain StreamRecordBatch#encodedSize() encoded size}
     *     of all the batches that will be added, or 0 if not known; more or fewer may come
     * @param expectedStreams how many streams they belong to
     */
    public ObjectWriter(int targetBlockSize, long expectedBatchBytes, int expectedStreams) {
        if (targetBlockSize <= 0) {
            throw new IllegalArgumentException("Target block size must be positive, got " + targetBlockSize);
        }
        this.targetBlockSize = targetBlockSize;
        long initial = expectedBatchBytes > 0
            ? expectedBatchBytes + indexAndFooterBytes(expectedBatchBytes, expectedStreams)
            : Math.max(MIN_INITIAL_CAPACITY, targetBlockSize);
        this.buffer = ByteBuffer.allocate((int) Math.min(MAX_CAPACITY, initial));
    }

    /**
     * Room for the index and footer of {@code batchBytes} in {@code streams} streams: blocks
     * are on average at least half full (a block closes only when the next batch would not
     * fit), plus each stream's last block.
     */
    private long indexAndFooterBytes(long batchBytes, int streams) {
        long blocks = 2 * (batchBytes / targetBlockSize) + Math.max(streams, 1);
        return blocks * ObjectFormat.INDEX_ENTRY_SIZE + ObjectFormat.INDEX_CRC_SIZE + ObjectFormat.FOOTER_SIZE;
    }

    /**
     * Appends a batch.
     *
     * @throws IllegalArgumentException if the batch does not continue its stream's offsets,
     *     or its stream was written earlier and another stream came in between
     */
    public void add(StreamRecordBatch batch) {
        checkNotBuilt();
        if (hasStream && batch.streamId() == streamId) {
            if (batch.baseOffset() != nextOffset) {
                throw new IllegalArgumentException("Stream " + streamId + ": batch at offsets [" + batch.baseOffset()
                    + ", " + batch.endOffset() + ") does not follow the previous batch, which ends at " + nextOffset);
            }
            if (blockRecordCount > 0 && buffer.position() - blockPosition + batch.encodedSize() > targetBlockSize) {
                closeBlock();
            }
        } else {
            if (writtenStreams.contains(batch.streamId())) {
                throw new IllegalArgumentException("Stream " + batch.streamId() + ": batch at offsets ["
                    + batch.baseOffset() + ", " + batch.endOffset() + ") comes after other streams; batches of one"
                    + " stream must be added together");
            }
            finishStream();
            hasStream = true;
            streamId = batch.streamId();
            streamStartOffset = batch.baseOffset();
        }
        if (blockRecordCount == 0) {
            blockPosition = buffer.position();
            blockStartOffset = batch.baseOffset();
        }
        ensureRemaining(batch.encodedSize(), false);
        batch.encodeTo(buffer);
        blockRecordCount++;
        streamEpoch = batch.epoch();
        nextOffset = batch.endOffset();
    }

    /** Bytes written so far, without the index and footer. */
    public int dataSize() {
        return buffer.position();
    }

    public boolean isEmpty() {
        return !hasStream;
    }

    /**
     * Writes the index and footer and returns the object. The writer cannot be used after.
     *
     * @throws IllegalStateException if no batch was added
     */
    public WrittenObject build() {
        checkNotBuilt();
        if (!hasStream) {
            throw new IllegalStateException("An object needs at least one batch; nothing was added");
        }
        finishStream();
        built = true;
        blocks.sort(Comparator.comparingLong(DataBlockIndex::streamId).thenComparingLong(DataBlockIndex::startOffset));
        ranges.sort(Comparator.comparingLong(StreamOffsetRange::streamId));

        int indexPosition = buffer.position();
        int indexSize = blocks.size() * ObjectFormat.INDEX_ENTRY_SIZE + ObjectFormat.INDEX_CRC_SIZE;
        ensureRemaining(indexSize + ObjectFormat.FOOTER_SIZE, true);
        for (DataBlockIndex block : blocks) {
            block.encodeTo(buffer);
        }
        buffer.putInt(ObjectFormat.crc32c(buffer.slice(indexPosition, buffer.position() - indexPosition)));
        buffer.putLong(indexPosition)
            .putInt(indexSize)
            .putInt(ObjectFormat.VERSION)
            .putLong(ObjectFormat.MAGIC);
        return new WrittenObject(buffer.flip(), ranges);
    }

    private void finishStream() {
        if (!hasStream) {
            return;
        }
        closeBlock();
        ranges.add(new StreamOffsetRange(streamId, streamEpoch, streamStartOffset, nextOffset));
        writtenStreams.add(streamId);
        hasStream = false;
    }

    private void closeBlock() {
        if (blockRecordCount == 0) {
            return;
        }
        int size = buffer.position() - blockPosition;
        int crc = ObjectFormat.crc32c(buffer.slice(blockPosition, size));
        blocks.add(new DataBlockIndex(streamId, blockStartOffset, nextOffset, blockRecordCount, blockPosition, size, crc));
        blockRecordCount = 0;
    }

    /** Grows the buffer to take {@code bytes} more: to exactly that for the {@code last} bytes, else doubling. */
    private void ensureRemaining(int bytes, boolean last) {
        if (buffer.remaining() >= bytes) {
            return;
        }
        long needed = (long) buffer.position() + bytes;
        if (needed > MAX_CAPACITY) {
            throw new IllegalStateException("Object would exceed " + MAX_CAPACITY + " bytes");
        }
        int capacity = (int) Math.min(MAX_CAPACITY, last ? needed : Math.max(needed, 2L * buffer.capacity()));
        buffer = ByteBuffer.allocate(capacity).put(buffer.flip());
    }

    private void checkNotBuilt() {
        if (built) {
            throw new IllegalStateException("The object was already built");
        }
    }
}
