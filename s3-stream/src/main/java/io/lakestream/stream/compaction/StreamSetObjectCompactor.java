package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.upload.StreamSetObjectWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges a node's small stream-set objects and splits them by stream: a stream with at least
 * the stream-object threshold in the merged data gets its own stream object, the rest go into
 * one new stream-set object. The sources are replaced atomically at the metadata and deleted
 * by the {@link ObjectCleaner} after their grace period, so readers holding their old
 * location keep working meanwhile.
 *
 * <p>Batches below a stream's start offset and of deleted streams are dropped. Runs are not
 * meant to overlap: call {@link #compact()} from one thread at a time.
 */
public final class StreamSetObjectCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSetObjectCompactor.class);

    private final StreamMetadata metadata;
    private final ObjectStorage storage;
    private final StreamStoreConfig config;
    private final StreamSetObjectWriter objectWriter;
    private final AtomicInteger backlog = new AtomicInteger();
    private final Counter compacted;

    public StreamSetObjectCompactor(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage,
                                    MeterRegistry registry) {
        this(config, metadata, storage, streamId -> false, registry);
    }

    /** {@code ownObjectStreams}: streams whose data always goes into stream objects (see {@link StreamSetObjectWriter}). */
    public StreamSetObjectCompactor(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage,
                                    LongPredicate ownObjectStreams, MeterRegistry registry) {
        this.metadata = metadata;
        this.storage = storage;
        this.config = config;
        this.objectWriter = new StreamSetObjectWriter(config.nodeId(), config.streamObjectThresholdBytes(),
            config.objectBlockSizeBytes(), config.preparedObjectTtl().toMillis(), metadata, storage, ownObjectStreams);
        Gauge.builder("lakestream.stream.compaction.backlog", backlog, AtomicInteger::get)
            .description("Stream-set objects of this node waiting for compaction")
            .register(registry);
        this.compacted = Counter.builder("lakestream.stream.compaction.objects").tag("kind", "stream_set")
            .register(registry);
    }

    /**
     * One run over the oldest stream-set objects, up to the configured bytes. Completes with
     * the number of source objects replaced (0 when there is too little to merge).
     */
    public CompletableFuture<Integer> compact() {
        return metadata.getStreamSetObjects(config.nodeId()).thenCompose(objects -> {
            backlog.set(objects.size());
            // Objects that are already large are left alone: rewriting them on every run
            // would cost more than the requests it saves, and would block the small ones.
            List<ObjectMetadata> sources = new ArrayList<>();
            long bytes = 0;
            for (ObjectMetadata object : objects) {
                if (object.objectSize() >= config.compactionMaxBytes() / 2) {
                    continue;
                }
                if (bytes + object.objectSize() > config.compactionMaxBytes()) {
                    break;
                }
                sources.add(object);
                bytes += object.objectSize();
            }
            if (sources.size() < 2) {
                return CompletableFuture.completedFuture(0);
            }
            return compact(sources);
        });
    }

    private CompletableFuture<Integer> compact(List<ObjectMetadata> sources) {
        List<CompletableFuture<List<StreamRecordBatch>>> reads = new ArrayList<>();
        for (ObjectMetadata source : sources) {
            reads.add(ObjectBatches.readAll(storage, source));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
            .thenCompose(ignored -> liveBatchesByStream(reads))
            .thenCompose(byStream -> writeAndCommit(sources, byStream));
    }

    /** Every source batch that is still readable, by stream, in offset order. */
    private CompletableFuture<Map<Long, List<StreamRecordBatch>>> liveBatchesByStream(
        List<CompletableFuture<List<StreamRecordBatch>>> reads) {
        Map<Long, List<StreamRecordBatch>> byStream = new TreeMap<>();
        for (CompletableFuture<List<StreamRecordBatch>> read : reads) {
            for (StreamRecordBatch batch : read.join()) {
                byStream.computeIfAbsent(batch.streamId(), k -> new ArrayList<>()).add(batch);
            }
        }
        Map<Long, CompletableFuture<StreamState>> states = new HashMap<>();
        byStream.keySet().forEach(id -> states.put(id, metadata.describeStream(id).exceptionallyCompose(error ->
            isStreamNotFound(error) ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(error))));
        return CompletableFuture.allOf(states.values().toArray(CompletableFuture[]::new))
            .thenApply(ignored -> {
                Map<Long, List<StreamRecordBatch>> live = new TreeMap<>();
                byStream.forEach((streamId, batches) -> {
                    StreamState state = states.get(streamId).join();
                    if (state == null) {
                        return; // deleted: its data is garbage
                    }
                    long start = state.startOffset();
                    batches.sort((a, b) -> Long.compare(a.baseOffset(), b.baseOffset()));
                    List<StreamRecordBatch> kept = batches.stream().filter(b -> b.endOffset() > start).toList();
                    if (!kept.isEmpty()) {
                        live.put(streamId, kept);
                    }
                });
                return live;
            });
    }

    private CompletableFuture<Integer> writeAndCommit(List<ObjectMetadata> sources,
                                                      Map<Long, List<StreamRecordBatch>> byStream) {
        List<Long> sourceIds = sources.stream().map(ObjectMetadata::objectId).toList();
        return objectWriter.write(byStream, sourceIds).thenCompose(this::commit);
    }

    private CompletableFuture<Integer> commit(CommitStreamSetObjectRequest request) {
        return metadata.commitStreamSetObject(request).thenApply(ignored -> {
            compacted.increment(request.compactedObjectIds().size());
            LOG.info("Compacted stream-set objects {} into {} and {} stream objects", request.compactedObjectIds(),
                request.objectId() < 0 ? "no stream-set object" : "stream-set object " + request.objectId(),
                request.streamObjects().size());
            return request.compactedObjectIds().size();
        });
    }

    private static boolean isStreamNotFound(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof StreamMetadataException refused && refused.error() == MetadataError.STREAM_NOT_FOUND;
    }
}
