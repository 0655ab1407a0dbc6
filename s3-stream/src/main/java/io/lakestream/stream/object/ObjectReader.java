package io.lakestream.stream.object;

import static io.lakestream.stream.object.ObjectFormat.FOOTER_INDEX_POSITION_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.FOOTER_INDEX_SIZE_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.FOOTER_MAGIC_OFFSET;
import static io.lakestream.stream.object.ObjectFormat.FOOTER_SIZE;
import static io.lakestream.stream.object.ObjectFormat.FOOTER_VERSION_OFFSET;

import io.lakestream.stream.storage.ObjectStorage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Reads one data object (layout in {@link ObjectFormat}) with ranged GETs: {@link #open}
 * fetches the footer and index, then {@link #readBlock} and {@link #readBlocks} fetch data
 * blocks. Every byte handed out has passed its CRC.
 *
 * <p>Immutable and thread-safe once opened. Futures complete on the storage's threads, and
 * the CRC check of what they fetched runs there too.
 */
public final class ObjectReader {
    /** How much of the object's tail {@link #open} reads first, hoping to get the whole index. */
    static final int TAIL_READ_SIZE = 64 * 1024;

    private final ObjectStorage storage;
    private final String key;
    private final long objectSize;
    private final ObjectIndex index;

    private ObjectReader(ObjectStorage storage, String key, long objectSize, ObjectIndex index) {
        this.storage = storage;
        this.key = key;
        this.objectSize = objectSize;
        this.index = index;
    }

    /**
     * Reads the footer and index of an object: one ranged GET of the tail, and a second one
     * only if the index does not fit in the tail.
     *
     * <p>Completes with {@link ObjectFormatException} for a bad magic, an unknown version,
     * or a truncated or corrupt footer or index.
     */
    public static CompletableFuture<ObjectReader> open(ObjectStorage storage, String key, long objectSize) {
        if (objectSize < FOOTER_SIZE) {
            return CompletableFuture.failedFuture(new ObjectFormatException(key, "truncated: object size " + objectSize
                + " is smaller than the " + FOOTER_SIZE + "-byte footer"));
        }
        long tailStart = Math.max(0, objectSize - TAIL_READ_SIZE);
        return storage.rangeRead(key, tailStart, objectSize).thenCompose(tail -> {
            checkLength(key, tail, tailStart, objectSize);
            Footer footer = Footer.parse(key, tail.slice(tail.limit() - FOOTER_SIZE, FOOTER_SIZE), objectSize);
            if (footer.indexPosition >= tailStart) {
                // Copied so that the cached index holds only its own bytes, not the whole tail.
                int at = tail.position() + (int) (footer.indexPosition - tailStart);
                ByteBuffer indexBlock = tail.slice(at, footer.indexSize);
                ByteBuffer copy = ByteBuffer.allocate(footer.indexSize).put(indexBlock).flip();
                return CompletableFuture.completedFuture(create(storage, key, objectSize, footer, copy));
            }
            long indexEnd = footer.indexPosition + footer.indexSize;
            return storage.rangeRead(key, footer.indexPosition, indexEnd).thenApply(indexBlock -> {
                checkLength(key, indexBlock, footer.indexPosition, indexEnd);
                return create(storage, key, objectSize, footer, indexBlock);
            });
        });
    }

    private static ObjectReader create(ObjectStorage storage, String key, long objectSize, Footer footer,
                                       ByteBuffer indexBlock) {
        return new ObjectReader(storage, key, objectSize, ObjectIndex.parse(key, indexBlock, footer.indexPosition));
    }

    public String key() {
        return key;
    }

    public long objectSize() {
        return objectSize;
    }

    public ObjectIndex index() {
        return index;
    }

    /** See {@link ObjectIndex#find}. */
    public List<DataBlockIndex> find(long streamId, long startOffset, long endOffset, int maxBytes) {
        return index.find(streamId, startOffset, endOffset, maxBytes);
    }

    /**
     * Fetches one block; completes with {@link ObjectFormatException} if its CRC does not match.
     * The CRC is checked on the object store's thread that read the block.
     */
    public CompletableFuture<DataBlock> readBlock(DataBlockIndex block) {
        return storage.rangeRead(key, block.position(), block.endPosition(), data -> {
            checkLength(key, data, block.position(), block.endPosition());
            return DataBlock.verify(key, block, data);
        });
    }

    /**
     * Fetches adjacent blocks (each starting where the previous one ends) with ONE ranged
     * GET. The blocks returned are slices of that one read; see {@link DataBlock#detached()}.
     * Their CRCs are checked on the object store's thread that read them.
     *
     * @throws IllegalArgumentException if the blocks are not adjacent
     */
    public CompletableFuture<List<DataBlock>> readBlocks(List<DataBlockIndex> adjacentBlocks) {
        for (int i = 1; i < adjacentBlocks.size(); i++) {
            if (adjacentBlocks.get(i).position() != adjacentBlocks.get(i - 1).endPosition()) {
                throw new IllegalArgumentException("Blocks " + adjacentBlocks.get(i - 1) + " and "
                    + adjacentBlocks.get(i) + " of '" + key + "' are not adjacent");
            }
        }
        if (adjacentBlocks.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        long start = adjacentBlocks.get(0).position();
        long end = adjacentBlocks.get(adjacentBlocks.size() - 1).endPosition();
        return storage.rangeRead(key, start, end, data -> {
            checkLength(key, data, start, end);
            List<DataBlock> blocks = new ArrayList<>(adjacentBlocks.size());
            for (DataBlockIndex block : adjacentBlocks) {
                int at = data.position() + (int) (block.position() - start);
                blocks.add(DataBlock.verify(key, block, data.slice(at, block.size())));
            }
            return blocks;
        });
    }

    private static void checkLength(String key, ByteBuffer read, long start, long end) {
        if (read.remaining() != end - start) {
            throw new ObjectFormatException(key, "truncated: read of [" + start + ", " + end + ") returned "
                + read.remaining() + " bytes");
        }
    }

    @Override
    public String toString() {
        return "ObjectReader(" + key + ", " + objectSize + " bytes, " + index.entryCount() + " blocks)";
    }

    /** The footer fields, checked against the object size. */
    private record Footer(long indexPosition, int indexSize) {
        static Footer parse(String key, ByteBuffer footer, long objectSize) {
            long magic = footer.getLong(FOOTER_MAGIC_OFFSET);
            if (magic != ObjectFormat.MAGIC) {
                throw new ObjectFormatException(key, String.format(
                    "bad magic %016x (expected %016x): not a data object, or truncated", magic, ObjectFormat.MAGIC));
            }
            int version = footer.getInt(FOOTER_VERSION_OFFSET);
            if (version != ObjectFormat.VERSION) {
                throw new ObjectFormatException(key, "unknown format version " + version + " (this reader knows "
                    + ObjectFormat.VERSION + ")");
            }
            long indexPosition = footer.getLong(FOOTER_INDEX_POSITION_OFFSET);
            int indexSize = footer.getInt(FOOTER_INDEX_SIZE_OFFSET);
            long footerPosition = objectSize - FOOTER_SIZE;
            if (indexPosition < 0 || indexSize < ObjectFormat.INDEX_CRC_SIZE
                || indexPosition + indexSize != footerPosition) {
                throw new ObjectFormatException(key, "truncated or corrupt footer: index [" + indexPosition + ", +"
                    + indexSize + ") does not end where the footer starts, at " + footerPosition);
            }
            return new Footer(indexPosition, indexSize);
        }
    }
}
