package io.lakestream.stream.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lakestream.stream.BatchReader;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.object.DataBlock;
import io.lakestream.stream.object.DataBlockIndex;
import io.lakestream.stream.object.ObjectReader;
import io.lakestream.stream.storage.ObjectNotFoundException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a stream's batches from the objects that hold them, through the {@link BlockCache},
 * fetching ahead for sequential readers.
 *
 * <p>Read-ahead: each stream remembers where its last read ended. A read that starts there
 * is sequential; when a sequential read misses the cache, the rest of what it may read and a
 * window after that are fetched into the block cache's read-ahead buffer in the background
 * (one GET per object, all objects at once, so a read that spans objects waits for about one
 * GET rather than one per object). The window is {@link ReadAheadConfig#initialBytes()} at
 * first and twice as much on each further sequential miss, up to
 * {@link ReadAheadConfig#maxBytes()} or a 64th of the read-ahead buffer (so that a consumer of
 * many partitions does not make them evict each other's windows). A reader whose reads are
 * larger than that (a table topic worker reads 4 MiB at a time) gets windows of one read at
 * first and up to twice its reads, and at most a {@value #LARGE_READER_SHARE}th of the
 * buffer: it asks for those bytes next anyway, and with a window smaller than its reads each
 * of them would wait on a GET. When a sequential read enters the last window fetched ahead,
 * the next window is fetched, so a reader that keeps pace never waits. A read that starts
 * anywhere else resets the window. Read-ahead failures are logged and otherwise ignored: a
 * later read retries the blocks.
 *
 * <p>Object locations: the objects found for a stream are remembered for
 * {@link #LOCATIONS_TTL} and reused by its next reads within them, so a sequential reader
 * asks the metadata (a controller query) once per few dozen objects, not once per read.
 * Reusing them is safe for that long: an object that compaction replaces stays readable for
 * the controller's destroy grace period (a minute by default), and a trim moves the stream's
 * start, which {@code S3Stream} checks before reading here. A read that finds a remembered object gone
 * anyway (a shorter grace, or a metadata store without one) forgets them and reads again. A
 * rewrite of the stream's data (log compaction) changes what the offsets hold, so
 * {@link #forgetLocations} drops them.
 *
 * <p>Thread-safe. Reads of different streams proceed independently; the continuation of a
 * read runs on the object store's threads.
 */
public final class CachedStreamReader implements BatchReader {
    private static final Logger LOG = LoggerFactory.getLogger(CachedStreamReader.class);
    /**
     * Objects asked of the locator at a time. A broker's locator is a controller query, which
     * took about 10 ms on a busy machine; a stream-set object holds about 2 MiB of each of 16
     * partitions written together, so 8 at a time made a 16-partition consumer wait on 112 of
     * them per GiB.
     */
    static final int LOCATE_LIMIT = 32;
    private static final int MAX_TRACKED_STREAMS = 100_000;
    /** How long the objects found for a stream are reused; well under the controller's destroy grace period. */
    static final Duration LOCATIONS_TTL = Duration.ofSeconds(5);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** A reader whose reads are larger than the usual window may fetch ahead up to this part of the buffer. */
    static final int LARGE_READER_SHARE = 16;

    private final ObjectLocator locator;
    private final BlockCache cache;
    private final int initialWindowBytes;
    private final int maxWindowBytes;
    private final int maxLargeReaderWindowBytes;
    private final Cache<Long, ReadAheadWindow> windows;
    private final Cache<Long, List<ObjectRange>> locations;
    private final Counter readAheadBytes;

    public CachedStreamReader(ObjectLocator locator, BlockCache cache, ReadAheadConfig readAheadConfig,
                              MeterRegistry registry) {
        this.locator = locator;
        this.cache = cache;
        this.initialWindowBytes = readAheadConfig.initialBytes();
        this.maxWindowBytes = (int) Math.max(readAheadConfig.initialBytes(),
            Math.min(readAheadConfig.maxBytes(), cache.maxReadAheadBytes() / 64));
        this.maxLargeReaderWindowBytes = (int) Math.max(maxWindowBytes,
            Math.min(readAheadConfig.maxBytes(), cache.maxReadAheadBytes() / LARGE_READER_SHARE));
        // Upkeep on the caller, for the reason BlockCache gives.
        this.windows = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(MAX_TRACKED_STREAMS)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();
        this.locations = Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumSize(MAX_TRACKED_STREAMS)
            .expireAfterWrite(LOCATIONS_TTL)
            .build();
        this.readAheadBytes = Counter.builder("lakestream.stream.read.ahead").baseUnit("bytes")
            .description("Bytes fetched from the object store ahead of sequential readers")
            .register(registry);
    }

    /**
     * Consecutive batches of a stream, starting with the batch that holds {@code startOffset}
     * (it may begin before it: batches are never split). No batch that begins at or after
     * {@code endOffset} is returned. Stops before a batch that would take the payload bytes
     * past {@code maxBytes}, but returns at least one batch if there is one, as a Kafka fetch
     * does. Returns nothing when the object store holds nothing from {@code startOffset} on.
     *
     * <p>Completes with {@link StreamDataGapException} if the objects skip offsets, and with
     * {@link io.lakestream.stream.object.ObjectFormatException} for corrupt object data.
     *
     * @param endOffset exclusive; {@code -1} for no upper bound
     */
    @Override
    public CompletableFuture<List<StreamRecordBatch>> read(long streamId, long startOffset, long endOffset,
                                                           int maxBytes) {
        if (startOffset < 0 || (endOffset >= 0 && endOffset < startOffset)) {
            throw new IllegalArgumentException("Stream " + streamId + ": bad read range [" + startOffset + ", "
                + endOffset + ")");
        }
        ReadAheadWindow window = windows.get(streamId, id -> new ReadAheadWindow(initialWindowBytes));
        boolean sequential = window.startRead(startOffset);
        // Readers of no more than the usual window (consumers' partition fetches) keep it. A larger
        // reader's window starts at one read (growing to it from the initial window would cost it a
        // few reads that wait on GETs) and grows to two: the blocks that hold a read take more bytes
        // than its payload, and a reader whose reads outgrow its window runs off its end every read.
        Window windowSize = maxBytes > maxWindowBytes
            ? new Window((int) Math.min(maxBytes, maxLargeReaderWindowBytes),
                (int) Math.max(maxWindowBytes, Math.min(2L * maxBytes, maxLargeReaderWindowBytes)))
            : new Window(0, maxWindowBytes);
        Read first = new Read(streamId, startOffset, endOffset, maxBytes, sequential ? window : null, windowSize);
        Read[] last = {first};
        return first.run().exceptionallyCompose(error -> {
            if (!isObjectNotFound(error)) {
                return CompletableFuture.failedFuture(error);
            }
            // The remembered objects were deleted (compacted away, past the controller's grace period,
            // or by a metadata store that keeps none): read again from what the locator says now.
            locations.invalidate(streamId);
            last[0] = new Read(streamId, startOffset, endOffset, maxBytes, sequential ? window : null, windowSize);
            return last[0].run();
        }).whenComplete((batches, error) -> {
            Read read = last[0];
            if (error == null) {
                window.endRead(read.nextOffset);
                if (sequential && !read.readAheadStarted) {
                    ReadAheadWindow.Ahead next =
                        window.continueFrom(read.nextOffset, windowSize.minBytes(), windowSize.maxBytes());
                    if (next != null) {
                        readAhead(streamId, window, next.fromOffset(), next.bytes());
                    }
                }
            }
        });
    }

    /**
     * One call to {@link #read}. Its steps run one after another (each continues from the
     * future of the previous one), so its fields need no synchronization.
     */
    private final class Read {
        private final long streamId;
        private final long endOffset;
        private final long endBound;
        private final int maxBytes;
        private final ReadAheadWindow sequentialWindow;
        private final Window windowSize;
        private final List<StreamRecordBatch> batches = new ArrayList<>();
        private long nextOffset;
        private long bytes;
        private boolean full;
        private boolean readAheadStarted;

        Read(long streamId, long startOffset, long endOffset, int maxBytes, ReadAheadWindow sequentialWindow,
             Window windowSize) {
            this.streamId = streamId;
            this.endOffset = endOffset;
            this.endBound = endOffset < 0 ? Long.MAX_VALUE : endOffset;
            this.maxBytes = maxBytes;
            this.sequentialWindow = sequentialWindow;
            this.windowSize = windowSize;
            this.nextOffset = startOffset;
        }

        CompletableFuture<List<StreamRecordBatch>> run() {
            return locateNext().thenApply(ignored -> batches);
        }

        private boolean done() {
            return full || nextOffset >= endBound;
        }

        private CompletableFuture<Void> locateNext() {
            if (done()) {
                return DONE;
            }
            return locate(streamId, nextOffset, endOffset).thenCompose(located -> readRanges(located, 0));
        }

        private CompletableFuture<Void> readRanges(Located located, int i) {
            List<ObjectRange> ranges = located.ranges();
            if (done()) {
                return DONE;
            }
            if (i == ranges.size()) {
                // Unless the locator had fewer objects than asked for: the rest is not in the object store yet.
                return located.mayHaveMore() ? locateNext() : DONE;
            }
            ObjectRange range = ranges.get(i);
            if (range.endOffset() <= nextOffset) {
                return readRanges(located, i + 1);
            }
            if (range.startOffset() > nextOffset) {
                return CompletableFuture.failedFuture(new StreamDataGapException(streamId, nextOffset,
                    "the next object, " + range.objectId() + ", starts at offset " + range.startOffset()));
            }
            return cache.reader(range.objectId(), range.objectSize())
                .thenCompose(reader -> readObject(range, reader))
                .thenCompose(ignored -> readRanges(located, i + 1));
        }

        private CompletableFuture<Void> readObject(ObjectRange range, ObjectReader reader) {
            if (done() || nextOffset >= range.endOffset()) {
                return DONE;
            }
            int budget = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes - bytes));
            List<DataBlockIndex> found = reader.find(streamId, nextOffset, endOffset, budget);
            if (found.isEmpty() || found.get(0).startOffset() > nextOffset) {
                return CompletableFuture.failedFuture(new StreamDataGapException(streamId, nextOffset, "object "
                    + range.objectId() + " ('" + reader.key() + "') should hold offsets [" + range.startOffset() + ", "
                    + range.endOffset() + ") but " + (found.isEmpty() ? "has no block for offset " + nextOffset
                    : "its next block starts at offset " + found.get(0).startOffset())));
            }
            BlockCache.Lookup lookup = cache.blocks(range.objectId(), reader, found);
            if (lookup.missedBlocks() > 0) {
                long foundBytes = found.stream().mapToLong(DataBlockIndex::size).sum();
                readAheadAfter(found.get(found.size() - 1).endOffset(), budget - foundBytes);
            }
            return lookup.blocks().thenCompose(blocks -> {
                DataBlock stoppedIn = append(blocks);
                if (stoppedIn != null && sequentialWindow != null) {
                    cache.holdForNextRead(range.objectId(), stoppedIn);
                }
                return readObject(range, reader);
            });
        }

        /** Adds the blocks' batches up to the read's limits; returns the block it filled up in, with batches left, or null. */
        private DataBlock append(List<DataBlock> blocks) {
            for (DataBlock block : blocks) {
                for (StreamRecordBatch batch : block.records()) {
                    if (done()) {
                        return full && nextOffset < block.index().endOffset() ? block : null;
                    }
                    if (batch.endOffset() <= nextOffset) {
                        continue;
                    }
                    if (batch.baseOffset() > nextOffset) {
                        throw new StreamDataGapException(streamId, nextOffset, "the next batch in '"
                            + block + "' starts at offset " + batch.baseOffset());
                    }
                    if (!batches.isEmpty() && bytes + batch.payloadSize() > maxBytes) {
                        full = true;
                        return block;
                    }
                    batches.add(batch);
                    bytes += batch.payloadSize();
                    nextOffset = batch.endOffset();
                    full = bytes >= maxBytes;
                }
                if (full) {
                    return nextOffset < block.index().endOffset() ? block : null;
                }
            }
            return null;
        }

        /**
         * Fetches ahead from {@code fromOffset}, once per read: what is left of this read (up to
         * {@code restOfRead} bytes, bounded by the window limit, in case the read asked for
         * everything) and a window after it.
         */
        private void readAheadAfter(long fromOffset, long restOfRead) {
            if (sequentialWindow == null || readAheadStarted) {
                return;
            }
            readAheadStarted = true;
            int windowBytes = sequentialWindow.onSequentialMiss(windowSize.minBytes(), windowSize.maxBytes());
            if (windowBytes > 0) {
                long rest = Math.max(0, Math.min(restOfRead, windowSize.maxBytes()));
                readAhead(streamId, sequentialWindow, fromOffset, (int) (windowBytes + rest));
            }
        }
    }

    /** Fetches ahead {@code windowBytes} from {@code fromOffset} and tells the window what that covered. */
    private void readAhead(long streamId, ReadAheadWindow window, long fromOffset, int windowBytes) {
        locate(streamId, fromOffset, -1)
            .thenCompose(located -> prefetch(streamId, located, 0, fromOffset, windowBytes, false))
            .whenComplete((endOffset, error) -> {
                window.fetchedAhead(fromOffset, error == null ? endOffset : fromOffset);
                if (error != null) {
                    LOG.warn("Read-ahead of stream {} from offset {} failed: {}", streamId, fromOffset, error.toString());
                }
            });
    }

    /**
     * Fetches into the read-ahead buffer the blocks after {@code offset} that add up to
     * {@code budget} bytes; completes with the offset after the last of them. A window that runs
     * past the objects located (remembered ones run out as the reader moves on) locates the next
     * ones, once, so that it is not cut short every few objects.
     */
    private CompletableFuture<Long> prefetch(long streamId, Located located, int i, long offset, long budget,
                                             boolean relocated) {
        List<ObjectRange> ranges = located.ranges();
        if (budget <= 0) {
            return CompletableFuture.completedFuture(offset);
        }
        if (i == ranges.size()) {
            return relocated || !located.mayHaveMore() ? CompletableFuture.completedFuture(offset)
                : locate(streamId, offset, -1).thenCompose(next -> prefetch(streamId, next, 0, offset, budget, true));
        }
        ObjectRange range = ranges.get(i);
        return cache.reader(range.objectId(), range.objectSize()).thenCompose(reader -> {
            List<DataBlockIndex> blocks = reader.find(streamId, offset, -1, (int) Math.min(Integer.MAX_VALUE, budget));
            if (blocks.isEmpty()) {
                return prefetch(streamId, located, i + 1, offset, budget, relocated);
            }
            readAheadBytes.increment(cache.prefetch(range.objectId(), reader, blocks));
            long covered = blocks.stream().mapToLong(DataBlockIndex::size).sum();
            long next = blocks.get(blocks.size() - 1).endOffset();
            return prefetch(streamId, located, i + 1, next, budget - covered, relocated);
        });
    }

    private static boolean isObjectNotFound(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ObjectNotFoundException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void forgetLocations(long streamId) {
        locations.invalidate(streamId);
    }

    /**
     * The objects of the stream from the one that holds {@code startOffset}: from the objects
     * remembered for the stream if one of them holds {@code startOffset}, else from the locator
     * (up to {@link #LOCATE_LIMIT} objects), whose answer is then remembered. A reader that
     * comes to the end of remembered objects asks the locator again, so it finds the objects
     * uploaded since.
     */
    private CompletableFuture<Located> locate(long streamId, long startOffset, long endOffset) {
        List<ObjectRange> known = locations.getIfPresent(streamId);
        if (known != null) {
            for (int i = 0; i < known.size(); i++) {
                ObjectRange range = known.get(i);
                if (range.startOffset() <= startOffset && startOffset < range.endOffset()) {
                    return CompletableFuture.completedFuture(new Located(known.subList(i, known.size()), true));
                }
            }
        }
        // Asked without the read's end, so that the answer serves the reads after this one too.
        return locator.locate(streamId, startOffset, -1, LOCATE_LIMIT).thenApply(found -> {
            if (!found.isEmpty()) {
                locations.put(streamId, List.copyOf(found));
            }
            return new Located(endOffset < 0 ? found
                : found.stream().filter(range -> range.startOffset() < endOffset).toList(),
                found.size() >= LOCATE_LIMIT);
        });
    }

    /** The bounds of the read-ahead window for one read. */
    private record Window(int minBytes, int maxBytes) {}

    /**
     * Objects of a stream in offset order.
     *
     * @param mayHaveMore whether objects after the last one may hold more of the stream: false
     *     if the locator, asked just now, had fewer objects than it was asked for
     */
    private record Located(List<ObjectRange> ranges, boolean mayHaveMore) {}

    /** The read-ahead window of a stream, for tests. */
    int readAheadWindowBytes(long streamId) {
        ReadAheadWindow window = windows.getIfPresent(streamId);
        return window == null ? initialWindowBytes : window.windowBytes();
    }
}
