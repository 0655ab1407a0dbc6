package io.lakestream.stream.upload;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.stream.object.ObjectWriter;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.wal.WriteAheadLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
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
 * uploaded, trim the write-ahead log. A failed step is retried with backoff until it
 * succeeds, so data never leaves the log before it is committed; a stream fenced by a newer
 * epoch is dropped from the upload (its new owner recovers it from the log or objects).
 *
 * <p>Thread-safe: {@link #uploadNow()} and {@link #doWork(long)} may be called from any
 * thread; the upload chain is guarded by the instance lock.
 */
public final class Uploader {
    private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);

    private final StreamStoreConfig config;
    private final LogCache logCache;
    private final WriteAheadLog wal;
    private final ObjectStorage storage;
    private final StreamMetadata metadata;
    private final RetryPolicy<Object> retryPolicy;
    private final ScheduledExecutorService retryScheduler;
    private final Timer uploadTimer;
    private final DistributionSummary uploadBytes;
    private final Counter streamSetObjects;
    private final Counter streamObjects;

    /** Completes when every upload started so far is committed and trimmed. */
    private CompletableFuture<Void> committed = CompletableFuture.completedFuture(null);
    private long lastUploadMillis;

    public Uploader(StreamStoreConfig config, LogCache logCache, WriteAheadLog wal, ObjectStorage storage,
                    StreamMetadata metadata, ScheduledExecutorService retryScheduler, MeterRegistry registry) {
        this.config = config;
        this.logCache = logCache;
        this.wal = wal;
        this.storage = storage;
        this.metadata = metadata;
        this.retryPolicy = RetryPolicy.builder()
            .handleIf(error -> !isFencing(error))
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(10))
            .withMaxRetries(-1)
            .onRetry(event -> LOG.warn("Upload attempt {} failed, retrying: {}", event.getAttemptCount(),
                event.getLastException().toString()))
            .build();
        this.retryScheduler = retryScheduler;
        this.uploadTimer = Timer.builder("lakestream.stream.upload.latency")
            .description("From sealing a log cache block to its commit")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
        this.uploadBytes = DistributionSummary.builder("lakestream.stream.upload.size")
            .baseUnit("bytes")
            .register(registry);
        this.streamSetObjects = Counter.builder("lakestream.stream.upload.objects").tag("type", "stream_set")
            .register(registry);
        this.streamObjects = Counter.builder("lakestream.stream.upload.objects").tag("type", "stream")
            .register(registry);
    }

    /**
     * Duty cycle: starts an upload if the interval has passed or the threshold is reached.
     * Returns the number of uploads started (0 or 1).
     */
    public int doWork(long nowMillis) {
        synchronized (this) {
            boolean due = nowMillis - lastUploadMillis >= config.uploadInterval().toMillis();
            if (!due && logCache.activeSizeBytes() < config.uploadThresholdBytes()) {
                return 0;
            }
        }
        return startUpload() == null ? 0 : 1;
    }

    /** Uploads what the cache holds now; completes when it and every earlier upload are committed. */
    public CompletableFuture<Void> uploadNow() {
        CompletableFuture<Void> upload = startUpload();
        synchronized (this) {
            return upload == null ? committed : upload;
        }
    }

    private CompletableFuture<Void> startUpload() {
        synchronized (this) {
            lastUploadMillis = System.currentTimeMillis();
            LogCache.Block block = logCache.seal();
            if (block == null) {
                return null;
            }
            Timer.Sample sample = Timer.start();
            CompletableFuture<Void> previous = committed;
            committed = Failsafe.with(retryPolicy).with(retryScheduler)
                .getStageAsync(() -> upload(block, previous))
                .thenCompose(ignored -> wal.trim(block.walEndPosition()))
                .whenComplete((ignored, error) -> {
                    if (error == null) {
                        sample.stop(uploadTimer);
                        uploadBytes.record(block.sizeBytes());
                    } else {
                        LOG.error("Upload of {} failed for good; its data stays in the write-ahead log", block, error);
                    }
                });
            return committed;
        }
    }

    /** One attempt: build, prepare, PUT, wait for the previous commit, commit. */
    private CompletableFuture<Void> upload(LogCache.Block block, CompletableFuture<Void> previous) {
        UploadPlan plan = UploadPlan.of(block, config.streamObjectThresholdBytes(), config.objectBlockSizeBytes());
        if (plan.isEmpty()) {
            return previous.thenRun(() -> logCache.markUploaded(block));
        }
        return metadata.prepareObjects(plan.objectCount(), config.preparedObjectTtl().toMillis())
            .thenCompose(firstId -> {
                long nextId = firstId;
                List<CompletableFuture<Void>> puts = new ArrayList<>();
                long streamSetObjectId = -1;
                if (plan.streamSetObject() != null) {
                    streamSetObjectId = nextId++;
                    puts.add(storage.write(ObjectKeys.dataObject(streamSetObjectId), plan.streamSetObject().data()));
                }
                List<StreamObject> streamObjectSpecs = new ArrayList<>();
                for (WrittenObject object : plan.streamObjects()) {
                    long id = nextId++;
                    puts.add(storage.write(ObjectKeys.dataObject(id), object.data()));
                    streamObjectSpecs.add(new StreamObject(id, object.size(), object.ranges().get(0)));
                }
                CommitStreamSetObjectRequest request = new CommitStreamSetObjectRequest(streamSetObjectId,
                    config.nodeId(), plan.streamSetObject() == null ? 0 : plan.streamSetObject().size(),
                    plan.streamSetObject() == null ? List.of() : plan.streamSetObject().ranges(),
                    streamObjectSpecs, List.of());
                return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> previous)
                    .thenCompose(ignored -> metadata.commitStreamSetObject(request))
                    .thenRun(() -> {
                        if (plan.streamSetObject() != null) {
                            streamSetObjects.increment();
                        }
                        streamObjects.increment(plan.streamObjects().size());
                        logCache.markUploaded(block);
                    });
            })
            .exceptionallyCompose(error -> isFencing(error)
                ? dropFencedStreams(block).thenCompose(ignored -> upload(block, previous))
                : CompletableFuture.failedFuture(error));
    }

    /** Leaves out of the block the streams whose epoch is no longer current. */
    private CompletableFuture<Void> dropFencedStreams(LogCache.Block block) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        Set<Long> fenced = new HashSet<>();
        for (Map.Entry<Long, List<StreamRecordBatch>> entry : block.streams().entrySet()) {
            long epoch = entry.getValue().get(entry.getValue().size() - 1).epoch();
            checks.add(metadata.describeStream(entry.getKey()).handle((StreamState state, Throwable error) -> {
                if (error != null || state.epoch() != epoch || !state.open()) {
                    synchronized (fenced) {
                        fenced.add(entry.getKey());
                    }
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenRun(() -> {
            if (fenced.isEmpty()) {
                throw new IllegalStateException("Upload of " + block + " was refused for fencing, but every stream"
                    + " in it is current");
            }
            LOG.info("Dropping fenced streams {} from upload of {}", fenced, block);
            logCache.dropStreams(block, fenced);
        });
    }

    private static boolean isFencing(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof StreamMetadataException refused) {
            MetadataError code = refused.error();
            return code == MetadataError.STALE_EPOCH || code == MetadataError.STREAM_NOT_OPEN
                || code == MetadataError.STREAM_NOT_FOUND;
        }
        return false;
    }

    /** The objects one upload writes. */
    private record UploadPlan(WrittenObject streamSetObject, List<WrittenObject> streamObjects) {
        static UploadPlan of(LogCache.Block block, long streamObjectThreshold, int blockSize) {
            ObjectWriter streamSet = new ObjectWriter(blockSize);
            boolean streamSetEmpty = true;
            List<WrittenObject> streamObjects = new ArrayList<>();
            for (List<StreamRecordBatch> batches : block.streams().values()) {
                if (batches.isEmpty()) {
                    continue;
                }
                long bytes = 0;
                for (StreamRecordBatch batch : batches) {
                    bytes += batch.encodedSize();
                }
                ObjectWriter target = bytes >= streamObjectThreshold ? new ObjectWriter(blockSize) : streamSet;
                batches.forEach(target::add);
                if (target == streamSet) {
                    streamSetEmpty = false;
                } else {
                    streamObjects.add(target.build());
                }
            }
            return new UploadPlan(streamSetEmpty ? null : streamSet.build(), streamObjects);
        }

        boolean isEmpty() {
            return streamSetObject == null && streamObjects.isEmpty();
        }

        int objectCount() {
            return (streamSetObject == null ? 0 : 1) + streamObjects.size();
        }
    }
}
