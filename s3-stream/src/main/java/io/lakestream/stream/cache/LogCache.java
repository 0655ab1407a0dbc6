package io.lakestream.stream.cache;

import io.lakestream.stream.StreamRecordBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The newest appended batches of every stream on this node, in memory: what the uploader
 * drains into objects and what hot reads are served from.
 *
 * <p>Batches go into the <em>active</em> block in write-ahead-log order. The uploader
 * {@linkplain #seal() seals} the active block and uploads it; once its objects are committed
 * the block is {@linkplain #markUploaded marked uploaded} and may be evicted, oldest first,
 * when the cache holds more than its capacity. Blocks that are not uploaded yet are never
 * evicted: they are the only copy outside the write-ahead log.
 *
 * <p>Thread-safe: every method runs under the instance lock. Reads return the batches
 * themselves (immutable), not copies of their bytes.
 */
public final class LogCache {
    private final long capacityBytes;
    private final Deque<Block> blocks = new ArrayDeque<>();
    private Block active;
    private long sizeBytes;
    private long nextBlockId;

    public LogCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        this.active = new Block(nextBlockId++);
        blocks.add(active);
    }

    /**
     * Adds a batch written to the write-ahead log ending at {@code walNextPosition}. Batches
     * of one stream must come in offset order.
     */
    public synchronized void put(StreamRecordBatch batch, long walNextPosition) {
        active.put(batch, walNextPosition);
        sizeBytes += batch.encodedSize();
    }

    /** Bytes in the active block: what the next upload would hold. */
    public synchronized long activeSizeBytes() {
        return active.sizeBytes;
    }

    /**
     * Closes the active block to new batches and returns it, or returns null if it is
     * empty. Later batches go to a new active block.
     */
    public synchronized Block seal() {
        if (active.sizeBytes == 0) {
            return null;
        }
        Block sealed = active;
        sealed.sealed = true;
        active = new Block(nextBlockId++);
        blocks.add(active);
        return sealed;
    }

    /**
     * Leaves out of a sealed block the stream's batches that end at or below
     * {@code committedEndOffset}: they are already in committed objects, or (with
     * {@code Long.MAX_VALUE}) belong to an epoch that may no longer commit.
     */
    public synchronized void dropCommitted(Block block, long streamId, long committedEndOffset) {
        List<StreamRecordBatch> batches = block.streams.get(streamId);
        if (batches == null) {
            return;
        }
        long freed = 0;
        Iterator<StreamRecordBatch> it = batches.iterator();
        while (it.hasNext()) {
            StreamRecordBatch batch = it.next();
            if (batch.endOffset() > committedEndOffset) {
                break;
            }
            freed += batch.encodedSize();
            it.remove();
        }
        if (batches.isEmpty()) {
            block.streams.remove(streamId);
        }
        block.sizeBytes -= freed;
        sizeBytes -= freed;
    }

    /** The block's data is in committed objects: it may be evicted from now on. */
    public synchronized void markUploaded(Block block) {
        block.uploaded = true;
        evictIfFull();
    }

    /**
     * Batches of {@code [startOffset, endOffset)} of a stream, beginning with the batch that
     * holds {@code startOffset}, until {@code maxBytes} of payload is reached (at least one
     * batch). Returns an empty list if the cache does not hold the batch with
     * {@code startOffset}: the caller then reads from objects.
     */
    public synchronized List<StreamRecordBatch> get(long streamId, long startOffset, long endOffset, int maxBytes) {
        List<StreamRecordBatch> result = new ArrayList<>();
        long next = startOffset;
        long bytes = 0;
        List<List<StreamRecordBatch>> newestFirst = blocksFrom(streamId, startOffset);
        for (int b = newestFirst.size() - 1; b >= 0; b--) {
            List<StreamRecordBatch> batches = newestFirst.get(b);
            int from = indexOfBatchHolding(batches, next);
            if (from < 0) {
                // The stream's batches in this block start after `next`: the cache has a hole
                // (evicted or trimmed) and cannot serve a contiguous answer from here.
                return result;
            }
            for (int i = from; i < batches.size(); i++) {
                StreamRecordBatch batch = batches.get(i);
                if (batch.baseOffset() >= endOffset || (!result.isEmpty() && bytes >= maxBytes)) {
                    return result;
                }
                result.add(batch);
                bytes += batch.payloadSize();
                next = batch.endOffset();
            }
        }
        return result;
    }

    /**
     * The stream's batches in each block that holds any after {@code startOffset}, newest
     * block first, back to the block that holds {@code startOffset} (or the oldest). Walks
     * back from the newest block: reads are mostly near the end of a stream, and a cache of
     * a quiet broker holds many small blocks.
     */
    private List<List<StreamRecordBatch>> blocksFrom(long streamId, long startOffset) {
        List<List<StreamRecordBatch>> newestFirst = new ArrayList<>(2);
        for (Iterator<Block> it = blocks.descendingIterator(); it.hasNext(); ) {
            List<StreamRecordBatch> batches = it.next().streams.get(streamId);
            if (batches == null || batches.isEmpty()) {
                continue;
            }
            if (batches.get(batches.size() - 1).endOffset() <= startOffset) {
                break; // a stream's offsets grow from block to block: older blocks end earlier still
            }
            newestFirst.add(batches);
            if (batches.get(0).baseOffset() <= startOffset) {
                break;
            }
        }
        return newestFirst;
    }

    /** Drops the stream's cached batches that end at or before {@code newStartOffset}. */
    public synchronized void trim(long streamId, long newStartOffset) {
        for (Block block : blocks) {
            if (block.uploaded) {
                List<StreamRecordBatch> batches = block.streams.get(streamId);
                if (batches != null) {
                    long freed = 0;
                    Iterator<StreamRecordBatch> it = batches.iterator();
                    while (it.hasNext()) {
                        StreamRecordBatch batch = it.next();
                        if (batch.endOffset() > newStartOffset) {
                            break;
                        }
                        freed += batch.encodedSize();
                        it.remove();
                    }
                    block.sizeBytes -= freed;
                    sizeBytes -= freed;
                }
            }
        }
    }

    public synchronized long sizeBytes() {
        return sizeBytes;
    }

    /** Drops every uploaded block: later reads of their data go to the object store. */
    public synchronized void clearUploaded() {
        blocks.removeIf(block -> {
            if (block.uploaded) {
                sizeBytes -= block.sizeBytes;
                return true;
            }
            return false;
        });
    }

    private void evictIfFull() {
        Iterator<Block> it = blocks.iterator();
        while (sizeBytes > capacityBytes && it.hasNext()) {
            Block block = it.next();
            if (!block.uploaded) {
                break;
            }
            sizeBytes -= block.sizeBytes;
            it.remove();
        }
    }

    private static int indexOfBatchHolding(List<StreamRecordBatch> batches, long offset) {
        int low = 0;
        int high = batches.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            StreamRecordBatch batch = batches.get(mid);
            if (batch.endOffset() <= offset) {
                low = mid + 1;
            } else if (batch.baseOffset() > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /**
     * Batches of all streams that arrived between two seals, in write-ahead-log order. Once
     * sealed it takes no new batches; the uploader reads it without the cache lock, and only
     * the uploader (through {@link #dropCommitted}) or trimming after its upload removes any.
     */
    public static final class Block {
        private final long id;
        private final Map<Long, List<StreamRecordBatch>> streams = new TreeMap<>();
        private long sizeBytes;
        private long walEndPosition = -1;
        private volatile boolean sealed;
        private volatile boolean uploaded;

        private Block(long id) {
            this.id = id;
        }

        private void put(StreamRecordBatch batch, long walNextPosition) {
            List<StreamRecordBatch> batches = streams.computeIfAbsent(batch.streamId(), k -> new ArrayList<>());
            if (!batches.isEmpty() && batches.get(batches.size() - 1).endOffset() != batch.baseOffset()) {
                throw new IllegalStateException("Stream " + batch.streamId() + " batch at offset "
                    + batch.baseOffset() + " does not follow the cached batch ending at "
                    + batches.get(batches.size() - 1).endOffset());
            }
            batches.add(batch);
            sizeBytes += batch.encodedSize();
            walEndPosition = Math.max(walEndPosition, walNextPosition);
        }

        public long id() {
            return id;
        }

        /** Every stream's batches, by stream id; only valid once sealed. */
        public Map<Long, List<StreamRecordBatch>> streams() {
            if (!sealed) {
                throw new IllegalStateException("Block " + id + " is still active");
            }
            return Collections.unmodifiableMap(streams);
        }

        public long sizeBytes() {
            return sizeBytes;
        }

        /**
         * The write-ahead-log position just after this block's last batch: once this block
         * and every earlier one are uploaded, the log may be trimmed up to here.
         */
        public long walEndPosition() {
            return walEndPosition;
        }

        @Override
        public String toString() {
            return "LogCache.Block(id=" + id + ", streams=" + streams.size() + ", bytes=" + sizeBytes + ")";
        }
    }
}
