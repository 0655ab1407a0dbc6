package io.lakestream.stream.compaction;

import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes objects that no metadata references any more, once their grace period has passed
 * (the metadata decides which): compacted sources, objects below a trimmed start offset,
 * objects of deleted streams, and prepared objects that were never committed.
 *
 * <p>An object is forgotten by the metadata only after the store confirmed its deletion, so
 * a failed delete is retried on the next run. Thread-safe; runs are not meant to overlap.
 */
public final class ObjectCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectCleaner.class);

    private final StreamMetadata metadata;
    private final ObjectStorage storage;
    private final Counter deleted;

    public ObjectCleaner(StreamMetadata metadata, ObjectStorage storage, MeterRegistry registry) {
        this.metadata = metadata;
        this.storage = storage;
        this.deleted = Counter.builder("lakestream.stream.objects.deleted").register(registry);
    }

    /** One run; completes with the number of objects deleted. */
    public CompletableFuture<Integer> clean() {
        return metadata.getObjectsToDestroy().thenCompose(ids -> {
            if (ids.isEmpty()) {
                return CompletableFuture.completedFuture(0);
            }
            List<String> keys = ids.stream().map(ObjectKeys::dataObject).toList();
            return storage.delete(keys)
                .thenCompose(ignored -> metadata.markObjectsDestroyed(ids))
                .thenApply(ignored -> {
                    deleted.increment(ids.size());
                    LOG.debug("Deleted {} unreferenced objects", ids.size());
                    return ids.size();
                });
        });
    }
}
