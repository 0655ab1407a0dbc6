package io.lakestream.stream.upload;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.wal.WriteAheadLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the log cache of every stream on the node into objects: ONE stream-set object per
 * upload, so the PUT rate does not grow with the number of streams, plus a stream object for
 * each stream with at least {@link StreamStoreConfig#streamObjectThresholdBytes()} in the
 * upload.
 *
 * <p>Each upload goes: prepare object ids, PUT the objects (in parallel, and in parallel with
 * the previous upload's commit), commit (strictly in upload order), mark the cache block
 * uploaded, trim the write-ahead log. A failed attempt is retried with backoff until it
 * succeeds or the uploader is closed, so data leaves the log only after its commit.
 *
 * <p>When the metadata refuses a commit, the block is reconciled with it before the next
 * attempt: batches already committed (a commit whose response was lost, or an upload of the
 * previous process that landed after a crash) are left out, and so are streams that a newer
 * epoch opened elsewhere. Dropping a fenced stream's batches loses them only if the new
 * owner did not recover this node's log first; that is counted and logged.
 *
 * <p>Thread-safe: the upload chain is guarded by the instance lock.
 */
public final class Uploader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);

    private final StreamStoreConfig config;
    private final LogCache logCache;
    private final WriteAheadLog wal;
    private final StreamMetadata metadata;
    private final StreamSetObjectWriter objectWriter;
    private final RetryPolicy<Object> retryPolicy;
    private final ScheduledExecutorService retryScheduler;
    private final Timer uploadTimer;
    private final DistributionSummary uploadBytes;
    private final Counter fencedBytesDropped;

    /** Completes when every upload started so far is committed. */
    private CompletableFuture<Void> committed = CompletableFuture.completedFuture(null);
    private long lastUploadMillis;
    private volatile boolean closed;

    /** {@code ownObjectStreams}: streams whose data always goes into stream objects (see {@link StreamSetObjectWriter}). */
    public Uploader(StreamStoreConfig config, LogCache logCache, WriteAheadLog wal, ObjectStorage storage,
                    StreamMetadata metadata, ScheduledExecutorService retryScheduler, LongPredicate ownObjectStreams,
                    MeterRegistry registry) {
        this.config = config;
        this.logCache = logCache;
        this.wal = wal;
        this.metadata = metadata;
        this.objectWriter = new StreamSetObjectWriter(config.nodeId(), config.streamObjectThresholdBytes(),
            config.objectBlockSizeBytes(), config.preparedObjectTtl().toMillis(), metadata, storage, ownObjectStreams);
        this.retryScheduler = retryScheduler;
        this.retryPolicy = RetryPolicy.builder()
            .abortOn(UploaderClosedException.class)
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(10))
            .withMaxRetries(-1)
            .onRetry(event -> {
                if (event.getAttemptCount() % 10 == 1) {
                    LOG.warn("Upload attempt {} failed, retrying: {}", event.getAttemptCount(),
                        event.getLastException().toString());
                }
            })
            .build();
        this.uploadTimer = Timer.builder("lakestream.stream.upload.latency")
            .description("From sealing a log cache block to its commit")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
        this.uploadBytes = DistributionSummary.builder("lakestream.stream.upload.size")
            .baseUnit("bytes")
            .register(registry);
        this.fencedBytesDropped = Counter.builder("lakestream.stream.upload.fenced.dropped")
            .description("Bytes left out of uploads because a newer epoch opened their stream elsewhere")
            .baseUnit("bytes")
            .register(registry);
    }

    /**
     * Duty cycle: starts an upload if the interval has passed since the last one or the
     * threshold is reached. Returns the number of uploads started (0 or 1).
     */
    public int doWork(long nowMillis) {
        synchronized (this) {
            boolean due = nowMillis - lastUploadMillis >= config.uploadInterval().toMillis();
            if (!due && logCache.activeSizeBytes() < config.uploadThresholdBytes()) {
                return 0;
            }
            lastUploadMillis = nowMillis;
            return startUpload() == null ? 0 : 1;
        }
    }

    /** Uploads what the cache holds now; completes when it and every earlier upload are committed. */
    public synchronized CompletableFuture<Void> uploadNow() {
        lastUploadMillis = System.currentTimeMillis();
        startUpload();
        return committed;
    }

    /** Fails uploads not yet committed; their data stays in the write-ahead log. */
    @Override
    public void close() {
        closed = true;
    }

    private CompletableFuture<Void> startUpload() {
        LogCache.Block block = logCache.seal();
        if (block == null) {
            return null;
        }
        Timer.Sample sample = Timer.start();
        CompletableFuture<Void> previous = committed;
        committed = Failsafe.with(retryPolicy).with(retryScheduler)
            .getStageAsync(() -> upload(block, previous))
            .whenComplete((ignored, error) -> {
                if (error == null) {
                    sample.stop(uploadTimer);
                    uploadBytes.record(block.sizeBytes());
                    trimLog(block);
                } else {
                    LOG.warn("Upload of {} stopped: {}; its data stays in the write-ahead log", block, error.toString());
                }
            });
        return committed;
    }

    /**
     * Trims in upload order, since commits complete in upload order. A failed trim is only
     * logged: the next upload's trim covers this one's records too.
     */
    private void trimLog(LogCache.Block block) {
        wal.trim(block.walEndPosition()).whenComplete((ignored, error) -> {
            if (error != null && !closed) {
                LOG.warn("Write-ahead log trim to {} failed: {}", block.walEndPosition(), error.toString());
            }
        });
    }

    /** One attempt: write the objects, wait for the previous commit, commit. */
    private CompletableFuture<Void> upload(LogCache.Block block, CompletableFuture<Void> previous) {
        if (closed) {
            return CompletableFuture.failedFuture(new UploaderClosedException());
        }
        return objectWriter.write(block.streams(), List.of())
            .thenCompose(request -> previous.thenCompose(ignored -> {
                if (closed) {
                    return CompletableFuture.failedFuture(new UploaderClosedException());
                }
                return request.objectId() < 0 && request.streamObjects().isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : metadata.commitStreamSetObject(request);
            }))
            .thenRun(() -> logCache.markUploaded(block))
            .exceptionallyCompose(error -> unwrap(error) instanceof StreamMetadataException
                ? reconcile(block).thenCompose(changed -> changed
                    ? upload(block, previous)
                    : CompletableFuture.failedFuture(unwrap(error)))
                : CompletableFuture.failedFuture(unwrap(error)));
    }

    /**
     * Leaves out of the block what the metadata says must not be committed by it: batches
     * already committed and streams fenced by a newer epoch. Completes with whether anything
     * changed; fails if the metadata could not be asked, so the attempt is retried.
     */
    private CompletableFuture<Boolean> reconcile(LogCache.Block block) {
        Map<Long, CompletableFuture<StreamState>> states = new HashMap<>();
        for (long streamId : block.streams().keySet()) {
            states.put(streamId, metadata.describeStream(streamId));
        }
        return CompletableFuture.allOf(states.values().stream()
                .map(state -> state.exceptionally(error -> null))
                .toArray(CompletableFuture[]::new))
            .thenApply(ignored -> {
                boolean changed = false;
                for (Map.Entry<Long, CompletableFuture<StreamState>> entry : states.entrySet()) {
                    long streamId = entry.getKey();
                    List<StreamRecordBatch> batches = block.streams().get(streamId);
                    StreamState state = currentState(streamId, entry.getValue());
                    long epoch = batches.get(batches.size() - 1).epoch();
                    if (state == null || state.epoch() != epoch || !state.open()) {
                        long bytes = batches.stream().mapToLong(StreamRecordBatch::payloadSize).sum();
                        fencedBytesDropped.increment(bytes);
                        LOG.warn("Leaving stream {} out of the upload of {}: {}; {} bytes of epoch {} dropped", streamId,
                            block, state == null ? "it was deleted" : "epoch " + state.epoch() + " now owns it",
                            bytes, epoch);
                        logCache.dropCommitted(block, streamId, Long.MAX_VALUE);
                        changed = true;
                    } else if (batches.get(0).baseOffset() < state.endOffset()) {
                        logCache.dropCommitted(block, streamId, state.endOffset());
                        changed = true;
                    }
                }
                return changed;
            });
    }

    /** The stream's state, null if it no longer exists; other errors fail the reconciliation. */
    private static StreamState currentState(long streamId, CompletableFuture<StreamState> described) {
        try {
            return described.join();
        } catch (CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof StreamMetadataException refused && refused.error() == MetadataError.STREAM_NOT_FOUND) {
                return null;
            }
            throw new CompletionException("Could not describe stream " + streamId, cause);
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The uploader was closed while an upload was still being retried. */
    static final class UploaderClosedException extends RuntimeException {
        UploaderClosedException() {
            super("The uploader is closed");
        }
    }
}
