package io.lakestream.broker.partition;

import io.lakestream.broker.partition.IndexSegment.Name;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where partitions' {@link IndexSegment}s live in the object store: one object per segment,
 * under {@code partition-index/<stream id>/<end offset>-<anchor checksum>}. The name is the
 * segment's {@link IndexSegment.Name}, so a segment's predecessor is found by its name alone,
 * and two leaders that describe the same data write the same object.
 *
 * <p>Thread-safe and stateless; every call is one or a few object store requests.
 */
public final class IndexSegmentStore {
    private static final Logger LOG = LoggerFactory.getLogger(IndexSegmentStore.class);
    private static final String PREFIX = "partition-index/";

    private final ObjectStorage storage;

    public IndexSegmentStore(ObjectStorage storage) {
        this.storage = storage;
    }

    CompletableFuture<Void> write(long streamId, IndexSegment segment) {
        return storage.write(key(streamId, segment.name()), segment.serialize());
    }

    /** The segments of {@code streamId}: their names and sizes. */
    CompletableFuture<Map<Name, Long>> list(long streamId) {
        String prefix = PREFIX + streamId + "/";
        return storage.list(prefix).thenApply(objects -> {
            Map<Name, Long> sizes = new HashMap<>();
            for (ObjectInfo object : objects) {
                String name = object.key().substring(prefix.length());
                int dash = name.indexOf('-');
                try {
                    sizes.put(new Name(Long.parseLong(name.substring(0, dash)),
                        Long.parseLong(name.substring(dash + 1), 16)), object.size());
                } catch (RuntimeException e) {
                    LOG.warn("Ignoring unexpected object {} among index segments", object.key());
                }
            }
            return sizes;
        });
    }

    /** The names in {@code listing} that end at or before {@code maxEndOffset}, newest first. */
    static List<Name> newestFirst(Map<Name, Long> listing, long maxEndOffset) {
        return listing.keySet().stream()
            .filter(name -> name.endOffset() <= maxEndOffset)
            .sorted(Comparator.comparingLong(Name::endOffset).reversed())
            .toList();
    }

    /** The segment listed in {@code listing}, or empty if it is not there or unreadable. */
    CompletableFuture<Optional<IndexSegment>> read(long streamId, Map<Name, Long> listing, Name name) {
        Long size = listing.get(name);
        if (size == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        String key = key(streamId, name);
        return storage.rangeRead(key, 0, size).handle((bytes, error) -> {
            if (error != null) {
                LOG.warn("Cannot read index segment {}: {}", key, error.toString());
                return Optional.empty();
            }
            try {
                return Optional.of(IndexSegment.deserialize(bytes));
            } catch (CorruptRecordException e) {
                LOG.warn("Ignoring index segment {}: {}", key, e.getMessage());
                return Optional.empty();
            }
        });
    }

    /**
     * {@code newest} and the segments before it, oldest first, back to the first one that
     * holds an entry at or before {@code startOffset}; empty if a link is missing from
     * {@code listing} or unreadable (the caller then rebuilds the index from the stream).
     */
    CompletableFuture<Optional<List<IndexSegment>>> chainTo(long streamId, Map<Name, Long> listing,
                                                            IndexSegment newest, long startOffset) {
        Deque<IndexSegment> chain = new ArrayDeque<>();
        chain.addFirst(newest);
        return follow(streamId, listing, chain, startOffset);
    }

    private CompletableFuture<Optional<List<IndexSegment>>> follow(long streamId, Map<Name, Long> listing,
                                                                   Deque<IndexSegment> chain, long startOffset) {
        IndexSegment oldest = chain.getFirst();
        if (oldest.hasEntryAtOrBefore(startOffset) || oldest.isRoot()) {
            return CompletableFuture.completedFuture(Optional.of(List.copyOf(chain)));
        }
        return read(streamId, listing, oldest.previousName()).thenCompose(previous -> {
            if (previous.isEmpty()) {
                LOG.info("Index segment chain of stream {} breaks before offset {}", streamId,
                    oldest.previousEndOffset());
                return CompletableFuture.completedFuture(Optional.empty());
            }
            chain.addFirst(previous.get());
            return follow(streamId, listing, chain, startOffset);
        });
    }

    CompletableFuture<Void> delete(long streamId, Collection<Name> names) {
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return storage.delete(names.stream().map(name -> key(streamId, name)).toList());
    }

    /** Deletes the segments of {@code streamId} that end at or before {@code offset}. */
    CompletableFuture<Void> deleteEndingAtOrBefore(long streamId, long offset) {
        return list(streamId).thenCompose(listing ->
            delete(streamId, listing.keySet().stream().filter(name -> name.endOffset() <= offset).toList()));
    }

    /** Deletes every segment of {@code streamId}, for a deleted partition. */
    CompletableFuture<Void> deleteAll(long streamId) {
        return deleteEndingAtOrBefore(streamId, Long.MAX_VALUE);
    }

    private static String key(long streamId, Name name) {
        return PREFIX + streamId + "/" + String.format("%020d-%08x", name.endOffset(), name.anchorChecksum());
    }
}
