package io.lakestream.stream.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lakestream.stream.object.DataBlock;
import io.lakestream.stream.object.DataBlockIndex;
import io.lakestream.stream.object.ObjectReader;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Data blocks and object indexes read from the object store, each cache bounded by bytes
 * (Caffeine, weighed by block or index size).
 *
 * <p>Blocks are keyed by (objectId, block position). The cache holds the future of a block
 * from the moment it is requested, so concurrent readers of one block share ONE ranged GET;
 * a failed read is dropped from the cache and the next request tries again. Missing blocks
 * that are adjacent in an object are fetched with one GET and split into blocks; a block cut
 * from a multi-block GET is copied out so that it does not keep its neighbours in memory,
 * unless it is a mapped file range ({@link DataBlock#detached()}).
 *
 * <p>Blocks fetched ahead of a reader ({@link #prefetch}) wait in a read-ahead buffer of
 * their own, oldest dropped first. They cannot wait in the Caffeine cache: its admission
 * policy (TinyLFU) keeps a new entry only if it is used more often than the entry it would
 * evict, and a block nobody has read yet never is, so once the cache is full, as it is in any
 * long sequential read, read-ahead blocks would be evicted as soon as they arrived. A block
 * read from the buffer stays there, and only a second read takes it into the cache: most
 * read-ahead blocks are read once, by the reader they were fetched for, and a put into the
 * cache for each of them (with the eviction it sets off, on the caller) was a sixth of a
 * request thread's time in a sequential read of cached blocks.
 *
 * <p>Thread-safe: the caches are Caffeine's and the read-ahead buffer is guarded by its own
 * lock. Futures complete on the object store's threads. The caches' upkeep (eviction, and
 * the callbacks of a put over an entry) runs on the calling thread: Caffeine's default
 * executor is the common pool, and where that has one thread (a machine of two cores)
 * {@code CompletableFuture} starts a new thread for each such callback instead.
 */
public final class BlockCache {
    static final String CACHE_METRIC = "lakestream.stream.block.cache";

    private final ObjectStorage storage;
    private final AsyncCache<BlockKey, DataBlock> blocks;
    private final AsyncCache<Long, ObjectReader> readers;
    private final Counter hits;
    private final Counter misses;
    private final long maxReadAheadBytes;
    /** Guarded by itself: blocks fetched ahead or held, read once at most, oldest first. */
    private final LinkedHashMap<BlockKey, Prefetched> readAhead = new LinkedHashMap<>();
    /** Guarded by {@code readAhead}. */
    private long readAheadBytes;

    /**
     * @param maxBlockBytes bound on the bytes of data blocks held: half for the cache, half for
     *     the read-ahead buffer
     * @param maxIndexBytes bound on the bytes of cached object indexes (opened readers)
     */
    public BlockCache(ObjectStorage storage, long maxBlockBytes, long maxIndexBytes, MeterRegistry registry) {
        this.storage = storage;
        this.maxReadAheadBytes = maxBlockBytes / 2;
        this.blocks = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(maxBlockBytes - maxReadAheadBytes)
            .weigher((BlockKey key, DataBlock block) -> block.size())
            .buildAsync();
        this.readers = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(maxIndexBytes)
            .weigher((Long objectId, ObjectReader reader) -> reader.index().sizeInBytes())
            .buildAsync();
        this.hits = Counter.builder(CACHE_METRIC).tag("result", "hit")
            .description("Data block lookups served from the block cache, or joining a read in flight")
            .register(registry);
        this.misses = Counter.builder(CACHE_METRIC).tag("result", "miss")
            .description("Data block lookups that had to read from the object store")
            .register(registry);
        Gauge.builder(CACHE_METRIC + ".size", this, BlockCache::cachedBytesEstimate).baseUnit("bytes")
            .description("Bytes of data blocks in the block cache")
            .register(registry);
    }

    /** The opened reader (footer and index) of a data object, opened once and cached. */
    public CompletableFuture<ObjectReader> reader(long objectId, long objectSize) {
        return readers.get(objectId, (id, executor) -> ObjectReader.open(storage, ObjectKeys.dataObject(id), objectSize));
    }

    /**
     * The given blocks of one object, in the order given, fetching the missing ones (one GET
     * per run of adjacent missing blocks). Counts a hit or a miss per block.
     */
    public Lookup blocks(long objectId, ObjectReader reader, List<DataBlockIndex> wanted) {
        Lookup lookup = lookup(objectId, reader, wanted);
        misses.increment(lookup.missedBlocks());
        hits.increment(wanted.size() - lookup.missedBlocks());
        return lookup;
    }

    /**
     * Starts fetching, into the read-ahead buffer, the blocks that are neither cached nor
     * fetched ahead already, and returns how many bytes that fetches. Does not count hits or
     * misses: nobody is waiting for these blocks yet.
     */
    public long prefetch(long objectId, ObjectReader reader, List<DataBlockIndex> wanted) {
        List<DataBlockIndex> toRead = new ArrayList<>(wanted.size());
        Map<BlockKey, CompletableFuture<DataBlock>> reserved = new HashMap<>(wanted.size() * 2);
        long bytes = 0;
        synchronized (readAhead) {
            for (DataBlockIndex block : wanted) {
                BlockKey key = new BlockKey(objectId, block.position());
                if (readAhead.containsKey(key) || blocks.asMap().containsKey(key)) {
                    continue;
                }
                CompletableFuture<DataBlock> future = new CompletableFuture<>();
                readAhead.put(key, new Prefetched(future, block.size(), false));
                reserved.put(key, future);
                readAheadBytes += block.size();
                bytes += block.size();
                toRead.add(block);
            }
            dropOldestReadAhead();
        }
        if (!toRead.isEmpty()) {
            toRead.sort(Comparator.comparingLong(DataBlockIndex::position));
            read(objectId, reader, toRead, false).whenComplete((read, error) -> reserved.forEach((key, future) -> {
                if (error != null) {
                    forgetReadAhead(key, future);
                    future.completeExceptionally(error);
                } else {
                    future.complete(read.get(key));
                }
            }));
        }
        return bytes;
    }

    /**
     * Keeps {@code block}, which a sequential read stopped in the middle of, in the read-ahead
     * buffer for that reader's next read, which then does not count as a second read of it.
     * Taken into the cache, a block competes for its place by how often it is used, and a
     * streaming reader's blocks are used once or twice: a 1 MiB consumer fetch that ended in a
     * block found it evicted about every other time, and waited to read the block again.
     */
    public void holdForNextRead(long objectId, DataBlock block) {
        BlockKey key = new BlockKey(objectId, block.index().position());
        synchronized (readAhead) {
            Prefetched held = readAhead.get(key);
            if (held != null) {
                if (held.read()) {
                    readAhead.put(key, held.unread());
                }
                return;
            }
            readAhead.put(key, new Prefetched(CompletableFuture.completedFuture(block), block.size(), false));
            readAheadBytes += block.size();
            dropOldestReadAhead();
        }
    }

    /**
     * Drops blocks, oldest first, until the buffer is within its bound: blocks read already
     * before any that are not, so that what was fetched ahead for a reader that lags behind is
     * not dropped to keep what others have read. Guarded by {@code readAhead}.
     */
    private void dropOldestReadAhead() {
        dropOldestReadAhead(true);
        dropOldestReadAhead(false);
    }

    private void dropOldestReadAhead(boolean readOnly) {
        Iterator<Prefetched> oldest = readAhead.values().iterator();
        while (readAheadBytes > maxReadAheadBytes && oldest.hasNext()) {
            Prefetched entry = oldest.next();
            if (entry.read() || !readOnly) {
                readAheadBytes -= entry.size();
                oldest.remove();
            }
        }
    }

    /** Drops a failed read-ahead block, unless a later prefetch has replaced it. */
    private void forgetReadAhead(BlockKey key, CompletableFuture<DataBlock> future) {
        synchronized (readAhead) {
            Prefetched entry = readAhead.get(key);
            if (entry != null && entry.block() == future) {
                readAhead.remove(key);
                readAheadBytes -= entry.size();
            }
        }
    }

    /**
     * The block from the read-ahead buffer, null if it is not there. Read for the first time, it
     * stays in the buffer, marked read. Read again, it is wanted by more than the reader it was
     * fetched for, so it moves into the cache, as a copy of its own for the reason {@link #read}
     * detaches blocks, made now rather than when it arrived: a copy that the cache soon evicts
     * dies young, which costs the garbage collector nothing.
     */
    private CompletableFuture<DataBlock> takeReadAhead(BlockKey key) {
        Prefetched entry;
        synchronized (readAhead) {
            entry = readAhead.get(key);
            if (entry == null) {
                return null;
            }
            if (!entry.read()) {
                // Replacing a key's value keeps its place in the insertion order: it is dropped as old as it is.
                readAhead.put(key, entry.markedRead());
                return entry.block();
            }
            readAhead.remove(key);
            readAheadBytes -= entry.size();
        }
        // Copied even if it came from the cache: a block read once from this buffer is a slice of its read.
        CompletableFuture<DataBlock> block = entry.block().thenApply(DataBlock::detached);
        blocks.put(key, block);
        return block;
    }

    private Lookup lookup(long objectId, ObjectReader reader, List<DataBlockIndex> wanted) {
        // In the order wanted: the block fetched ahead, or null for one to look up in the cache.
        List<CompletableFuture<DataBlock>> ordered = new ArrayList<>(wanted.size());
        Map<BlockKey, DataBlockIndex> others = new HashMap<>();
        for (DataBlockIndex block : wanted) {
            BlockKey key = new BlockKey(objectId, block.position());
            CompletableFuture<DataBlock> ahead = takeReadAhead(key);
            ordered.add(ahead);
            if (ahead == null) {
                others.put(key, block);
            }
        }
        if (others.isEmpty()) {
            // All fetched ahead, as they are for a reader that keeps pace with its read-ahead.
            return new Lookup(inOrder(ordered), 0, 0);
        }
        // Caffeine calls the loader at once, on this thread, with the keys that are neither cached nor in flight.
        long[] missed = new long[2];
        CompletableFuture<Map<BlockKey, DataBlock>> cached = blocks.getAll(others.keySet(), (missing, executor) -> {
            List<DataBlockIndex> toRead = missing.stream().map(others::get)
                .sorted(Comparator.comparingLong(DataBlockIndex::position)).toList();
            missed[0] = toRead.size();
            missed[1] = toRead.stream().mapToLong(DataBlockIndex::size).sum();
            return read(objectId, reader, toRead, true);
        });
        for (int i = 0; i < ordered.size(); i++) {
            if (ordered.get(i) == null) {
                BlockKey key = new BlockKey(objectId, wanted.get(i).position());
                ordered.set(i, cached.thenApply(found -> found.get(key)));
            }
        }
        return new Lookup(inOrder(ordered), (int) missed[0], missed[1]);
    }

    /** The blocks once all have arrived, in the order given. */
    private static CompletableFuture<List<DataBlock>> inOrder(List<CompletableFuture<DataBlock>> blocks) {
        List<DataBlock> arrived = new ArrayList<>(blocks.size());
        for (CompletableFuture<DataBlock> block : blocks) {
            if (!block.isDone() || block.isCompletedExceptionally()) {
                return CompletableFuture.allOf(blocks.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> blocks.stream().map(CompletableFuture::join).toList());
            }
            arrived.add(block.join());
        }
        return CompletableFuture.completedFuture(arrived);
    }

    /**
     * Reads blocks sorted by position, one GET per run of adjacent blocks. With {@code detach},
     * each block of a multi-block GET is copied out, so that a block kept long in the cache does
     * not keep its neighbours in memory. Read-ahead blocks are copied when a reader takes them
     * instead ({@link #takeReadAhead}): copied on arrival, they would wait in the read-ahead
     * buffer long enough for every young collection to copy them again.
     */
    private CompletableFuture<Map<BlockKey, DataBlock>> read(long objectId, ObjectReader reader,
                                                             List<DataBlockIndex> sorted, boolean detach) {
        List<CompletableFuture<List<DataBlock>>> runs = new ArrayList<>();
        int runStart = 0;
        for (int i = 1; i <= sorted.size(); i++) {
            if (i == sorted.size() || sorted.get(i).position() != sorted.get(i - 1).endPosition()) {
                List<DataBlockIndex> run = sorted.subList(runStart, i);
                runs.add(reader.readBlocks(run).thenApply(read -> run.size() == 1 || !detach ? read
                    : read.stream().map(DataBlock::detached).toList()));
                runStart = i;
            }
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<BlockKey, DataBlock> read = new HashMap<>(sorted.size() * 2);
            runs.stream().map(CompletableFuture::join).flatMap(List::stream)
                .forEach(block -> read.put(new BlockKey(objectId, block.index().position()), block));
            return read;
        });
    }

    /** Bound on the bytes waiting in the read-ahead buffer. */
    public long maxReadAheadBytes() {
        return maxReadAheadBytes;
    }

    /** Bytes of data blocks held, after pending evictions are done. */
    public long cachedBytes() {
        blocks.synchronous().cleanUp();
        return cachedBytesEstimate();
    }

    private long cachedBytesEstimate() {
        return blocks.synchronous().policy().eviction().map(eviction -> eviction.weightedSize().orElse(0)).orElse(0L);
    }

    /** Whether a block is cached, fetched ahead, or being read. */
    public boolean contains(long objectId, long position) {
        BlockKey key = new BlockKey(objectId, position);
        synchronized (readAhead) {
            if (readAhead.containsKey(key)) {
                return true;
            }
        }
        return blocks.getIfPresent(key) != null;
    }

    /**
     * The blocks of one request, and how many of them (and how many bytes) were neither
     * cached nor in flight, so were read for this request.
     */
    public record Lookup(CompletableFuture<List<DataBlock>> blocks, int missedBlocks, long missedBytes) {}

    private record BlockKey(long objectId, long position) {}

    /**
     * A block fetched ahead, or held for a reader's next read.
     *
     * @param read whether a lookup has taken it since it was fetched or held
     */
    private record Prefetched(CompletableFuture<DataBlock> block, int size, boolean read) {
        Prefetched markedRead() {
            return new Prefetched(block, size, true);
        }

        Prefetched unread() {
            return new Prefetched(block, size, false);
        }
    }
}
