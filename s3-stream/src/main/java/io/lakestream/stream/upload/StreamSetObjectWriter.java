package io.lakestream.stream.upload;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.object.ObjectWriter;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;

/**
 * Turns the batches of many streams into the objects of one upload or one compaction: a
 * stream with at least {@code streamObjectThresholdBytes} gets its own stream object, the
 * others share one stream-set object. Then prepares the object ids, PUTs the objects in
 * parallel and returns the commit request, which the caller sends when its ordering allows.
 *
 * <p>Streams that {@code ownObjectStreams} names always get stream objects, whatever their
 * size: their owner rewrites them (a compacted topic's log cleaner), and only stream objects
 * can be rewritten one stream at a time.
 *
 * <p>A stream-set object holds one contiguous range per stream; a stream whose batches
 * have gaps (its uploads alternated between stream objects and stream-set objects) gets a
 * stream object for each further run. Stateless and thread-safe.
 */
public final class StreamSetObjectWriter {
    private final int nodeId;
    private final long streamObjectThresholdBytes;
    private final int blockSizeBytes;
    private final long preparedObjectTtlMillis;
    private final StreamMetadata metadata;
    private final ObjectStorage storage;
    private final LongPredicate ownObjectStreams;

    public StreamSetObjectWriter(int nodeId, long streamObjectThresholdBytes, int blockSizeBytes,
                                 long preparedObjectTtlMillis, StreamMetadata metadata, ObjectStorage storage,
                                 LongPredicate ownObjectStreams) {
        this.nodeId = nodeId;
        this.streamObjectThresholdBytes = streamObjectThresholdBytes;
        this.blockSizeBytes = blockSizeBytes;
        this.preparedObjectTtlMillis = preparedObjectTtlMillis;
        this.metadata = metadata;
        this.storage = storage;
        this.ownObjectStreams = ownObjectStreams;
    }

    /**
     * Writes the objects for {@code batchesByStream} (each list in offset order) and returns
     * the request that commits them, replacing {@code compactedObjectIds} (empty for an
     * upload). With no batches at all, nothing is written and the request holds no object.
     */
    public CompletableFuture<CommitStreamSetObjectRequest> write(Map<Long, List<StreamRecordBatch>> batchesByStream,
                                                                 List<Long> compactedObjectIds) {
        // Each stream's contiguous runs: the first goes into the stream-set object unless the stream
        // has objects of its own, every other run into a stream object.
        Map<Long, List<StreamRecordBatch>> runsByStream = new LinkedHashMap<>();
        List<List<StreamRecordBatch>> ownRuns = new ArrayList<>();
        long streamSetBytes = 0;
        for (Map.Entry<Long, List<StreamRecordBatch>> stream : batchesByStream.entrySet()) {
            List<StreamRecordBatch> batches = stream.getValue();
            boolean ownObjects = encodedSize(batches) >= streamObjectThresholdBytes
                || ownObjectStreams.test(stream.getKey());
            List<List<StreamRecordBatch>> runs = contiguousRuns(batches);
            for (int i = 0; i < runs.size(); i++) {
                if (ownObjects || i > 0) {
                    ownRuns.add(runs.get(i));
                } else {
                    runsByStream.put(stream.getKey(), runs.get(i));
                    streamSetBytes += encodedSize(runs.get(i));
                }
            }
        }
        ObjectWriter streamSet = new ObjectWriter(blockSizeBytes, streamSetBytes, runsByStream.size());
        runsByStream.values().forEach(run -> run.forEach(streamSet::add));
        List<WrittenObject> streamObjects = new ArrayList<>();
        for (List<StreamRecordBatch> run : ownRuns) {
            ObjectWriter own = new ObjectWriter(blockSizeBytes, encodedSize(run), 1);
            run.forEach(own::add);
            streamObjects.add(own.build());
        }
        WrittenObject streamSetObject = streamSet.isEmpty() ? null : streamSet.build();
        int count = (streamSetObject == null ? 0 : 1) + streamObjects.size();
        if (count == 0) {
            return CompletableFuture.completedFuture(new CommitStreamSetObjectRequest(-1, nodeId, 0, List.of(),
                List.of(), compactedObjectIds));
        }
        return metadata.prepareObjects(count, preparedObjectTtlMillis).thenCompose(firstId -> {
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
                specs.add(new StreamObject(id, object.size(), onlyRange(object)));
            }
            CommitStreamSetObjectRequest request = new CommitStreamSetObjectRequest(streamSetId, nodeId,
                streamSetObject == null ? 0 : streamSetObject.size(),
                streamSetObject == null ? List.of() : streamSetObject.ranges(), specs, compactedObjectIds);
            return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).thenApply(ignored -> request);
        });
    }

    private static long encodedSize(List<StreamRecordBatch> batches) {
        return batches.stream().mapToLong(StreamRecordBatch::encodedSize).sum();
    }

    /** The single range of a stream object. */
    public static StreamOffsetRange onlyRange(WrittenObject object) {
        if (object.ranges().size() != 1) {
            throw new IllegalStateException("A stream object holds one range, this one holds " + object.ranges());
        }
        return object.ranges().get(0);
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
