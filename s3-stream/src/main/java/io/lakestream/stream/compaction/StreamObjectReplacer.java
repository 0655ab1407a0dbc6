package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.object.ObjectWriter;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.upload.StreamSetObjectWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * Replaces consecutive stream objects of one stream by one new stream object made of their
 * batches, each passed through a function that keeps its offsets: prepare an id, PUT, then
 * commit with the sources, which the metadata retires atomically. Shared by merging
 * ({@link StreamObjectCompactor}) and rewriting ({@link StreamRewriter}). Stateless.
 */
final class StreamObjectReplacer {
    private final StreamStoreConfig config;
    private final StreamMetadata metadata;
    private final ObjectStorage storage;

    StreamObjectReplacer(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage) {
        this.config = config;
        this.metadata = metadata;
        this.storage = storage;
    }

    /**
     * Completes with the new object once it is committed in place of {@code sources}. The new
     * object is built, and {@code each} called, on {@code executor}.
     */
    CompletableFuture<StreamObject> replace(long streamId, List<ObjectMetadata> sources,
                                            UnaryOperator<StreamRecordBatch> each, Executor executor) {
        List<CompletableFuture<List<StreamRecordBatch>>> reads = sources.stream()
            .map(object -> ObjectBatches.readAll(storage, object))
            .toList();
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            // About the sources' batch bytes (their sizes include their indexes): a replacement keeps or drops records.
            long sourceBytes = sources.stream().mapToLong(ObjectMetadata::objectSize).sum();
            ObjectWriter writer = new ObjectWriter(config.objectBlockSizeBytes(), sourceBytes, 1);
            for (CompletableFuture<List<StreamRecordBatch>> read : reads) {
                for (StreamRecordBatch batch : read.join()) {
                    StreamRecordBatch replaced = each.apply(batch);
                    if (replaced.streamId() != streamId || replaced.baseOffset() != batch.baseOffset()
                        || replaced.count() != batch.count()) {
                        throw new IllegalStateException("A replacement must keep the batch's stream and offsets: "
                            + "batch [" + batch.baseOffset() + ", " + batch.endOffset() + ") of stream " + streamId
                            + " became [" + replaced.baseOffset() + ", " + replaced.endOffset() + ") of stream "
                            + replaced.streamId());
                    }
                    writer.add(replaced);
                }
            }
            return writer.build();
        }, executor).thenCompose(written -> {
            List<Long> sourceIds = sources.stream().map(ObjectMetadata::objectId).toList();
            return metadata.prepareObjects(1, config.preparedObjectTtl().toMillis()).thenCompose(id -> {
                StreamObject object = new StreamObject(id, written.size(), StreamSetObjectWriter.onlyRange(written));
                return storage.write(ObjectKeys.dataObject(id), written.data())
                    .thenCompose(put -> metadata.commitStreamObject(new CommitStreamObjectRequest(object, sourceIds)))
                    .thenApply(committed -> object);
            });
        });
    }
}
