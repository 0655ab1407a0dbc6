package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.storage.ObjectStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges a stream's consecutive small stream objects into one, up to
 * {@link StreamStoreConfig#streamObjectTargetBytes()} (and never more than
 * {@link StreamStoreConfig#compactionMaxBytes()} in memory at once), so a long-retained
 * stream is a few large objects rather than many small ones. The sources are replaced
 * atomically and deleted later by the {@link ObjectCleaner}.
 *
 * <p>Runs for one stream are not meant to overlap.
 */
public final class StreamObjectCompactor {
    private static final Logger LOG = LoggerFactory.getLogger(StreamObjectCompactor.class);

    private final StreamStoreConfig config;
    private final StreamMetadata metadata;
    private final StreamObjectReplacer replacer;
    private final Counter compacted;

    public StreamObjectCompactor(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage,
                                 MeterRegistry registry) {
        this.config = config;
        this.metadata = metadata;
        this.replacer = new StreamObjectReplacer(config, metadata, storage);
        this.compacted = Counter.builder("lakestream.stream.compaction.objects").tag("kind", "stream")
            .register(registry);
    }

    /** One run over a stream; completes with the number of source objects replaced. */
    public CompletableFuture<Integer> compact(long streamId) {
        return metadata.getStreamObjects(streamId).thenCompose(objects -> {
            List<List<ObjectMetadata>> groups = mergeGroups(objects);
            CompletableFuture<Integer> done = CompletableFuture.completedFuture(0);
            for (List<ObjectMetadata> group : groups) {
                done = done.thenCompose(count -> merge(streamId, group).thenApply(merged -> count + merged));
            }
            return done;
        });
    }

    /** Runs of at least two contiguous objects whose total stays within the size limits. */
    private List<List<ObjectMetadata>> mergeGroups(List<ObjectMetadata> objects) {
        long limit = Math.min(config.streamObjectTargetBytes(), config.compactionMaxBytes());
        List<List<ObjectMetadata>> groups = new ArrayList<>();
        List<ObjectMetadata> group = new ArrayList<>();
        long bytes = 0;
        for (ObjectMetadata object : objects) {
            boolean contiguous = group.isEmpty()
                || last(group).ranges().get(0).endOffset() == object.ranges().get(0).startOffset();
            if (!contiguous || bytes + object.objectSize() > limit) {
                if (group.size() >= 2) {
                    groups.add(group);
                }
                group = new ArrayList<>();
                bytes = 0;
            }
            group.add(object);
            bytes += object.objectSize();
        }
        if (group.size() >= 2) {
            groups.add(group);
        }
        return groups;
    }

    private CompletableFuture<Integer> merge(long streamId, List<ObjectMetadata> group) {
        List<Long> sourceIds = group.stream().map(ObjectMetadata::objectId).toList();
        return replacer.replace(streamId, group, UnaryOperator.identity(), Runnable::run).thenApply(merged -> {
            compacted.increment(sourceIds.size());
            LOG.info("Merged stream {} objects {} into stream object {}", streamId, sourceIds, merged.objectId());
            return sourceIds.size();
        });
    }

    private static ObjectMetadata last(List<ObjectMetadata> objects) {
        return objects.get(objects.size() - 1);
    }
}
