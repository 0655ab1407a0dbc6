package io.lakestream.stream;

import io.lakestream.stream.cache.BlockCache;
import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.cache.CachedStreamReader;
import io.lakestream.stream.cache.ReadAheadConfig;
import io.lakestream.stream.compaction.BatchRewrite;
import io.lakestream.stream.compaction.ObjectCleaner;
import io.lakestream.stream.compaction.StreamObjectCompactor;
import io.lakestream.stream.compaction.StreamRewriter;
import io.lakestream.stream.compaction.StreamSetObjectCompactor;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.upload.Uploader;
import io.lakestream.wal.WriteAheadLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams of one node: owns the node's write-ahead log, log cache and uploader, and opens
 * {@link Stream}s over them.
 *
 * <p>Life cycle: {@link #start()} recovers the write-ahead log (replays it, uploads what was
 * not committed, trims it) and starts the upload schedule; then streams are created and
 * opened; {@link #close()} uploads what is cached and closes the log.
 *
 * <p>Thread-safe.
 */
public final class StreamStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamStore.class);

    private final StreamStoreConfig config;
    private final WriteAheadLog wal;
    private final StreamMetadata metadata;
    private final BatchReader objectReader;
    private final LogCache logCache;
    private final OrderedWalWriter walWriter;
    private final Uploader uploader;
    private final ScheduledExecutorService scheduler;
    private final StreamMetrics metrics;
    private final StreamSetObjectCompactor streamSetCompactor;
    private final StreamObjectCompactor streamObjectCompactor;
    private final ObjectCleaner cleaner;
    private final StreamRewriter rewriter;
    private final Map<Long, S3Stream> openStreams = new ConcurrentHashMap<>();
    /** Streams whose data always goes into stream objects, so that {@link #rewrite} reaches all of it. */
    private final Set<Long> ownObjectStreams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean maintenanceRunning = new AtomicBoolean();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile boolean started;

    /**
     * A node's streams over its write-ahead log, an object store and the cluster metadata.
     * Cold reads go through a block cache of {@link StreamStoreConfig#blockCacheCapacityBytes()}.
     */
    public StreamStore(StreamStoreConfig config, WriteAheadLog wal, ObjectStorage storage, StreamMetadata metadata,
                       MeterRegistry registry) {
        this(config, wal, storage, metadata, new CachedStreamReader(metadata::getObjects,
            new BlockCache(storage, config.blockCacheCapacityBytes(), indexCacheBytes(config), registry),
            ReadAheadConfig.DEFAULT, registry), registry);
    }

    /** Object indexes are small: a sixteenth of the block cache, at least 8 MiB. */
    private static long indexCacheBytes(StreamStoreConfig config) {
        return Math.max(8L << 20, config.blockCacheCapacityBytes() / 16);
    }

    /** As above, with the cold read path given: for tests of the write path alone. */
    StreamStore(StreamStoreConfig config, WriteAheadLog wal, ObjectStorage storage, StreamMetadata metadata,
                BatchReader objectReader, MeterRegistry registry) {
        this.config = config;
        this.wal = wal;
        this.metadata = metadata;
        this.objectReader = objectReader;
        this.metrics = new StreamMetrics(registry);
        this.logCache = new LogCache(config.logCacheCapacityBytes());
        this.walWriter = new OrderedWalWriter(wal, logCache);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "lakestream-uploader-" + config.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        this.uploader = new Uploader(config, logCache, wal, storage, metadata, scheduler, ownObjectStreams::contains,
            registry);
        this.streamSetCompactor = new StreamSetObjectCompactor(config, metadata, storage, ownObjectStreams::contains,
            registry);
        this.rewriter = new StreamRewriter(config, metadata, storage, registry);
        this.streamObjectCompactor = new StreamObjectCompactor(config, metadata, storage, registry);
        this.cleaner = new ObjectCleaner(metadata, storage, registry);
        Gauge.builder("lakestream.stream.log.cache.size", logCache, LogCache::sizeBytes)
            .baseUnit("bytes")
            .register(registry);
    }

    /**
     * Recovers the write-ahead log and starts uploading. Batches of streams that this node
     * still has open are uploaded unless already committed, so none is lost or committed
     * twice; then those streams are closed, ready to be opened again with a new epoch.
     */
    public CompletableFuture<Void> start() {
        return metadata.openStreams(config.nodeId())
            .thenCompose(states -> {
                Map<Long, StreamState> ownStreams = new HashMap<>();
                states.forEach(state -> ownStreams.put(state.streamId(), state));
                try {
                    new WalRecovery(ownStreams).replay(wal, logCache);
                } catch (IOException e) {
                    throw new UncheckedIOException("Write-ahead log recovery failed", e);
                }
                return uploader.uploadNow().thenCompose(ignored -> closeAll(ownStreams.values()));
            })
            .thenRun(() -> {
                started = true;
                schedule();
            });
    }

    /**
     * Closes the streams this node had open before it restarted, so that they are opened
     * again with a new epoch. A stream deleted or taken over meanwhile needs no close.
     */
    private CompletableFuture<Void> closeAll(Collection<StreamState> streams) {
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (StreamState state : streams) {
            closes.add(metadata.closeStream(state.streamId(), state.epoch()).exceptionally(error -> {
                LOG.info("Stream {} was not closed after recovery: {}", state.streamId(), error.toString());
                return null;
            }));
        }
        return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new));
    }

    private synchronized void schedule() {
        long uploadCheckMillis = Math.max(1, config.uploadInterval().toMillis() / 4);
        tasks.add(scheduler.scheduleWithFixedDelay(this::uploadIfDue, uploadCheckMillis, uploadCheckMillis,
            TimeUnit.MILLISECONDS));
        long compactionMillis = config.compactionInterval().toMillis();
        tasks.add(scheduler.scheduleWithFixedDelay(this::runMaintenance, compactionMillis, compactionMillis,
            TimeUnit.MILLISECONDS));
    }

    /**
     * Starts an upload as soon as the threshold is reached, so uploads are the same size
     * whatever the number of streams. Cheap on the caller's thread: the block is sealed here,
     * and the objects are built and written on the uploader's threads.
     */
    void onAppended() {
        if (logCache.activeSizeBytes() >= config.uploadThresholdBytes()) {
            uploadIfDue();
        }
    }

    private void uploadIfDue() {
        try {
            uploader.doWork(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.error("Upload schedule failed", e);
        }
    }

    /**
     * Compacts this node's stream-set objects and its open streams' stream objects, then
     * deletes unreferenced objects. Skipped if the previous run is still going.
     */
    public CompletableFuture<Void> runMaintenance() {
        if (!maintenanceRunning.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        // Each step runs whatever the previous one did: a compaction that keeps failing must
        // not stop garbage from being deleted.
        CompletableFuture<?> run = step("stream-set object compaction", streamSetCompactor::compact,
            CompletableFuture.completedFuture(null));
        for (long streamId : openStreams.keySet()) {
            run = step("stream object compaction of stream " + streamId,
                () -> streamObjectCompactor.compact(streamId), run);
        }
        return step("object cleaning", cleaner::clean, run)
            .whenComplete((ignored, error) -> maintenanceRunning.set(false))
            .thenApply(ignored -> null);
    }

    private static CompletableFuture<?> step(String name, Supplier<CompletableFuture<?>> body,
                                             CompletableFuture<?> after) {
        return after.thenCompose(ignored -> {
            try {
                return body.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }).handle((ignored, error) -> {
            if (error != null) {
                LOG.warn("{} failed; the next run retries it: {}", name, error.toString());
            }
            return null;
        });
    }

    public CompletableFuture<Long> createStream() {
        return metadata.createStream();
    }

    /**
     * Opens a stream for writing on this node with a new epoch, fencing any earlier owner.
     * A handle this node still has for the stream is closed first, so its data is uploaded
     * before the new epoch starts at the committed end.
     */
    public CompletableFuture<Stream> openStream(long streamId) {
        if (!started) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                "Node " + config.nodeId() + " opens streams only after its write-ahead log is recovered"));
        }
        S3Stream previous = openStreams.get(streamId);
        CompletableFuture<Void> closed = previous == null
            ? CompletableFuture.completedFuture(null)
            : previous.close().exceptionally(error -> null);
        return closed.thenCompose(ignored -> metadata.openStream(streamId, config.nodeId())).thenApply(state -> {
            S3Stream stream = new S3Stream(state, walWriter, logCache, objectReader, metadata, this, metrics);
            openStreams.put(streamId, stream);
            return stream;
        });
    }

    /**
     * Keeps the stream's data in stream objects from the next upload or compaction on (or
     * stops doing so), as a stream to be {@linkplain #rewrite rewritten} needs: a compacted
     * topic's partition. This is a setting of this node, made again after a restart.
     */
    public void keepInStreamObjects(long streamId, boolean keep) {
        if (keep) {
            ownObjectStreams.add(streamId);
        } else {
            ownObjectStreams.remove(streamId);
        }
    }

    /** How far a {@link #rewrite} of the stream can reach now (see {@link StreamRewriter#rewritableEnd}). */
    public CompletableFuture<Long> rewritableEnd(long streamId) {
        return rewriter.rewritableEnd(streamId);
    }

    /**
     * Rewrites the stream's batches below {@code endOffset} with {@code rewrite}, keeping their
     * offsets: the storage step of log compaction (see {@link StreamRewriter#rewrite}). Later
     * reads of those offsets that miss the log cache see the new payloads. {@code rewrite}
     * runs on {@code executor}.
     */
    public CompletableFuture<StreamRewriter.Result> rewrite(long streamId, long endOffset, BatchRewrite rewrite,
                                                           Executor executor) {
        // The log cache still holds the old payloads of data uploaded recently, and the object reader
        // where they were: forget both, so that readers see the rewritten objects.
        return rewriter.rewrite(streamId, endOffset, rewrite, executor)
            .whenComplete((result, error) -> {
                objectReader.forgetLocations(streamId);
                if (result != null) {
                    logCache.trim(streamId, result.endOffset());
                }
            });
    }

    /** Uploads everything cached now; completes once it is committed (the log is trimmed right after). */
    public CompletableFuture<Void> uploadNow() {
        return uploader.uploadNow();
    }

    /** Starts an upload if one is due; for tests that step the node without waiting. */
    public int doUploadWork(long nowMillis) {
        return uploader.doWork(nowMillis);
    }

    /** Drops uploaded data from the log cache, so reads go to the object store. */
    public void clearLogCache() {
        logCache.clearUploaded();
    }

    void forget(S3Stream stream) {
        openStreams.remove(stream.streamId(), stream);
    }

    /**
     * Stops as a crash would, for tests: no upload, the log closed as it is. What was not
     * committed stays in the log for the next start.
     */
    void halt() throws IOException {
        cancelTasks();
        uploader.close();
        scheduler.shutdownNow();
        wal.close();
    }

    private synchronized void cancelTasks() {
        tasks.forEach(task -> task.cancel(false));
        tasks.clear();
    }

    @Override
    public void close() throws IOException {
        cancelTasks();
        try {
            uploader.uploadNow().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Upload at shutdown did not finish; the write-ahead log keeps the data: {}", e.toString());
        }
        uploader.close();
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wal.close();
    }
}
