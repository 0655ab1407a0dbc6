package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.stream.object.ObjectWriter;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final AtomicInteger backlog = new AtomicInteger();
    private final Counter compacted;

    public StreamSetObjectCompactor(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage,
                                    MeterRegistry registry) {
        this.metadata = metadata;
        this.storage = storage;
        this.config = config;
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
            List<ObjectMetadata> sources = new ArrayList<>();
            long bytes = 0;
            for (ObjectMetadata object : objects) {
                if (!sources.isEmpty() && bytes + object.objectSize() > config.compactionMaxBytes()) {
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
        byStream.keySet().forEach(id -> states.put(id, metadata.describeStream(id)));
        return CompletableFuture.allOf(states.values().stream()
                .map(f -> f.handle((state, error) -> null))
                .toArray(CompletableFuture[]::new))
            .thenApply(ignored -> {
                Map<Long, List<StreamRecordBatch>> live = new TreeMap<>();
                byStream.forEach((streamId, batches) -> {
                    CompletableFuture<StreamState> state = states.get(streamId);
                    if (state.isCompletedExceptionally()) {
                        return; // deleted: its data is garbage
                    }
                    long start = state.join().startOffset();
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
        ObjectWriter streamSet = new ObjectWriter(config.objectBlockSizeBytes());
        boolean streamSetEmpty = true;
        List<WrittenObject> streamObjects = new ArrayList<>();
        for (List<StreamRecordBatch> batches : byStream.values()) {
            List<List<StreamRecordBatch>> runs = contiguousRuns(batches);
            long bytes = batches.stream().mapToLong(StreamRecordBatch::encodedSize).sum();
            for (int i = 0; i < runs.size(); i++) {
                // A stream-set object holds one range per stream; further runs (a stream whose
                // uploads alternated between stream objects and stream-set objects) get their own.
                if (bytes >= config.streamObjectThresholdBytes() || i > 0) {
                    ObjectWriter own = new ObjectWriter(config.objectBlockSizeBytes());
                    runs.get(i).forEach(own::add);
                    streamObjects.add(own.build());
                } else {
                    runs.get(i).forEach(streamSet::add);
                    streamSetEmpty = false;
                }
            }
        }
        WrittenObject streamSetObject = streamSetEmpty ? null : streamSet.build();
        int count = (streamSetObject == null ? 0 : 1) + streamObjects.size();
        List<Long> sourceIds = sources.stream().map(ObjectMetadata::objectId).toList();
        if (count == 0) {
            return commit(new CommitStreamSetObjectRequest(-1, config.nodeId(), 0, List.of(), List.of(), sourceIds));
        }
        return metadata.prepareObjects(count, config.preparedObjectTtl().toMillis()).thenCompose(firstId -> {
            long nextId = firstId;
            List<CompletableFuture<Void>> puts = new ArrayList<>();
            long streamSetId = -1;
            if (streamSetObject != null) {
                streamSetId = nextId++;
                puts.add(storage.write(ObjectKeys.dataObject(streamSetId), streamSetObject.data()));
            }
            List<StreamObject> specs = new ArrayList<>();
            for (WrittenObject object : streamObjects) {
                long id = nextId++;
                puts.add(storage.write(ObjectKeys.dataObject(id), object.data()));
                specs.add(new StreamObject(id, object.size(), object.ranges().get(0)));
            }
            CommitStreamSetObjectRequest request = new CommitStreamSetObjectRequest(streamSetId, config.nodeId(),
                streamSetObject == null ? 0 : streamSetObject.size(),
                streamSetObject == null ? List.of() : streamSetObject.ranges(), specs, sourceIds);
            return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> commit(request));
        });
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

    static List<List<StreamRecordBatch>> contiguousRuns(List<StreamRecordBatch> batches) {
        List<List<StreamRecordBatch>> runs = new ArrayList<>();
        List<StreamRecordBatch> run = new ArrayList<>();
        for (StreamRecordBatch batch : batches) {
            if (!run.isEmpty() && run.get(run.size() - 1).endOffset() != batch.baseOffset()) {
                runs.add(run);
                run = new ArrayList<>();
            }
            run.add(batch);
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }
}
