package io.lakestream.stream.metadata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@link StreamMetadata} held in memory, for unit tests and as the executable reference of
 * the rules the controller enforces. Thread-safe: every call runs under the instance lock,
 * and a call that is refused changes nothing (all checks run before any change).
 */
public final class InMemoryStreamMetadata implements StreamMetadata {
    private final LongSupplier clockMillis;
    private final long destroyGraceMillis;

    private long nextStreamId = 0;
    private long nextObjectId = 0;
    private final Map<Long, StreamEntry> streams = new HashMap<>();
    private final Map<Long, Long> preparedObjectExpiry = new HashMap<>();
    private final Map<Long, CommittedObject> committedObjects = new HashMap<>();
    /** Object id to the time it stopped being referenced. */
    private final Map<Long, Long> garbageSince = new HashMap<>();

    public InMemoryStreamMetadata() {
        this(System::currentTimeMillis, 0);
    }

    /**
     * @param clockMillis the clock for prepared-object expiry and the destroy grace period
     * @param destroyGraceMillis how long an unreferenced object is kept for readers that
     *     still hold its old location
     */
    public InMemoryStreamMetadata(LongSupplier clockMillis, long destroyGraceMillis) {
        this.clockMillis = clockMillis;
        this.destroyGraceMillis = destroyGraceMillis;
    }

    @Override
    public CompletableFuture<Long> createStream() {
        return call(() -> {
            long id = nextStreamId++;
            streams.put(id, new StreamEntry(id));
            return id;
        });
    }

    @Override
    public CompletableFuture<StreamState> openStream(long streamId, int nodeId) {
        return call(() -> {
            StreamEntry stream = stream(streamId);
            stream.epoch++;
            stream.open = true;
            stream.nodeId = nodeId;
            return stream.state();
        });
    }

    @Override
    public CompletableFuture<Void> closeStream(long streamId, long epoch) {
        return run(() -> {
            StreamEntry stream = checkEpoch(streamId, epoch);
            stream.open = false;
        });
    }

    @Override
    public CompletableFuture<Void> trimStream(long streamId, long epoch, long newStartOffset) {
        return run(() -> {
            StreamEntry stream = checkEpoch(streamId, epoch);
            if (newStartOffset <= stream.startOffset) {
                return;
            }
            stream.startOffset = newStartOffset;
            List<ObjectRange> dead = new ArrayList<>();
            for (ObjectRange range : stream.ranges.values()) {
                if (range.endOffset() <= newStartOffset) {
                    dead.add(range);
                }
            }
            dead.forEach(range -> dropRange(stream, range));
        });
    }

    @Override
    public CompletableFuture<Void> deleteStream(long streamId, long epoch) {
        return run(() -> {
            StreamEntry stream = checkEpoch(streamId, epoch);
            new ArrayList<>(stream.ranges.values()).forEach(range -> dropRange(stream, range));
            streams.remove(streamId);
        });
    }

    @Override
    public CompletableFuture<StreamState> describeStream(long streamId) {
        return call(() -> stream(streamId).state());
    }

    @Override
    public CompletableFuture<List<StreamState>> openStreams(int nodeId) {
        return call(() -> streams.values().stream()
            .filter(s -> s.open && s.nodeId == nodeId)
            .sorted(Comparator.comparingLong(s -> s.streamId))
            .map(StreamEntry::state)
            .toList());
    }

    @Override
    public CompletableFuture<Long> prepareObjects(int count, long ttlMillis) {
        return call(() -> {
            if (count <= 0 || ttlMillis <= 0) {
                throw refuse(MetadataError.INVALID_REQUEST,
                    "prepare needs a positive count and TTL, got " + count + " and " + ttlMillis + " ms");
            }
            long first = nextObjectId;
            nextObjectId += count;
            long expiresAt = clockMillis.getAsLong() + ttlMillis;
            for (long id = first; id < first + count; id++) {
                preparedObjectExpiry.put(id, expiresAt);
            }
            return first;
        });
    }

    @Override
    public CompletableFuture<Void> commitStreamSetObject(CommitStreamSetObjectRequest request) {
        return run(() -> {
            List<StreamObject> streamObjects = request.streamObjects();
            if (request.objectId() < 0 && !request.ranges().isEmpty()) {
                throw refuse(MetadataError.INVALID_REQUEST, "ranges without a stream-set object id");
            }
            if (request.objectId() >= 0) {
                checkPrepared(request.objectId());
            }
            for (StreamObject so : streamObjects) {
                checkPrepared(so.objectId());
            }
            List<StreamOffsetRange> newRanges = new ArrayList<>(request.ranges());
            streamObjects.forEach(so -> newRanges.add(so.range()));
            if (request.compactedObjectIds().isEmpty()) {
                checkExtendsStreams(newRanges);
            } else {
                checkReplacesExactly(request.compactedObjectIds(), ObjectType.STREAM_SET, newRanges);
            }

            long now = clockMillis.getAsLong();
            long orderId = request.compactedObjectIds().stream()
                .mapToLong(id -> committedObjects.get(id).orderId)
                .min().orElse(request.objectId() >= 0 ? request.objectId() : Long.MAX_VALUE);
            request.compactedObjectIds().forEach(this::retireObject);
            if (request.objectId() >= 0) {
                addObject(new ObjectMetadata(request.objectId(), ObjectType.STREAM_SET, request.objectSize(),
                    request.nodeId(), request.ranges(), now), orderId);
            }
            for (StreamObject so : streamObjects) {
                addObject(new ObjectMetadata(so.objectId(), ObjectType.STREAM, so.objectSize(), request.nodeId(),
                    List.of(so.range()), now), so.objectId());
            }
            if (request.compactedObjectIds().isEmpty()) {
                for (StreamOffsetRange range : newRanges) {
                    StreamEntry stream = streams.get(range.streamId());
                    stream.endOffset = Math.max(stream.endOffset, range.endOffset());
                }
            }
        });
    }

    @Override
    public CompletableFuture<Void> commitStreamObject(CommitStreamObjectRequest request) {
        return run(() -> {
            StreamObject so = request.object();
            checkPrepared(so.objectId());
            if (request.sourceObjectIds().isEmpty()) {
                throw refuse(MetadataError.INVALID_REQUEST, "stream object " + so.objectId() + " replaces nothing");
            }
            checkReplacesExactly(request.sourceObjectIds(), ObjectType.STREAM, List.of(so.range()));
            request.sourceObjectIds().forEach(this::retireObject);
            addObject(new ObjectMetadata(so.objectId(), ObjectType.STREAM, so.objectSize(), -1,
                List.of(so.range()), clockMillis.getAsLong()), so.objectId());
        });
    }

    @Override
    public CompletableFuture<List<ObjectRange>> getObjects(long streamId, long startOffset, long endOffset,
                                                           int limit) {
        return call(() -> {
            StreamEntry stream = stream(streamId);
            long end = endOffset < 0 ? Long.MAX_VALUE : endOffset;
            Long from = stream.ranges.floorKey(startOffset);
            List<ObjectRange> result = new ArrayList<>();
            for (ObjectRange range : stream.ranges.tailMap(from == null ? startOffset : from, true).values()) {
                if (range.startOffset() >= end || result.size() >= limit) {
                    break;
                }
                if (range.endOffset() > startOffset) {
                    result.add(range);
                }
            }
            return result;
        });
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamSetObjects(int nodeId) {
        return call(() -> committedObjects.values().stream()
            .filter(o -> o.metadata.type() == ObjectType.STREAM_SET && o.metadata.nodeId() == nodeId)
            .sorted(Comparator.comparingLong(o -> o.orderId))
            .map(o -> o.metadata)
            .toList());
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamObjects(long streamId) {
        return call(() -> stream(streamId).ranges.values().stream()
            .filter(r -> r.type() == ObjectType.STREAM)
            .map(r -> committedObjects.get(r.objectId()).metadata)
            .toList());
    }

    @Override
    public CompletableFuture<List<Long>> getObjectsToDestroy() {
        return call(() -> {
            long now = clockMillis.getAsLong();
            List<Long> result = new ArrayList<>();
            garbageSince.forEach((id, since) -> {
                if (since + destroyGraceMillis <= now) {
                    result.add(id);
                }
            });
            preparedObjectExpiry.forEach((id, expiresAt) -> {
                if (expiresAt + destroyGraceMillis <= now) {
                    result.add(id);
                }
            });
            result.sort(null);
            return result;
        });
    }

    @Override
    public CompletableFuture<Void> markObjectsDestroyed(List<Long> objectIds) {
        return run(() -> objectIds.forEach(id -> {
            garbageSince.remove(id);
            preparedObjectExpiry.remove(id);
        }));
    }

    private void checkPrepared(long objectId) {
        Long expiresAt = preparedObjectExpiry.get(objectId);
        if (expiresAt == null) {
            throw refuse(MetadataError.OBJECT_NOT_PREPARED, "object " + objectId + " was not prepared"
                + (committedObjects.containsKey(objectId) ? " (it is already committed)" : ""));
        }
        if (expiresAt <= clockMillis.getAsLong()) {
            throw refuse(MetadataError.OBJECT_EXPIRED, "prepared object " + objectId + " expired");
        }
    }

    /** An upload's ranges must extend each stream from its end offset, in its current epoch. */
    private void checkExtendsStreams(List<StreamOffsetRange> ranges) {
        Map<Long, Long> expectedStart = new HashMap<>();
        List<StreamOffsetRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(StreamOffsetRange::streamId)
            .thenComparingLong(StreamOffsetRange::startOffset));
        for (StreamOffsetRange range : sorted) {
            StreamEntry stream = checkEpoch(range.streamId(), range.epoch());
            if (!stream.open) {
                throw refuse(MetadataError.STREAM_NOT_OPEN, "stream " + stream.streamId + " is closed");
            }
            long expected = expectedStart.getOrDefault(stream.streamId, stream.endOffset);
            if (range.startOffset() != expected) {
                throw refuse(MetadataError.OFFSET_NOT_CONTIGUOUS, "stream " + stream.streamId + " range ["
                    + range.startOffset() + ", " + range.endOffset() + ") does not start at its end offset "
                    + expected);
            }
            expectedStart.put(stream.streamId, range.endOffset());
        }
    }

    /**
     * A compaction's output must hold exactly the live offsets of its sources, stream by
     * stream; offsets below a stream's start offset, and streams since deleted, may be dropped.
     */
    private void checkReplacesExactly(List<Long> sourceIds, ObjectType sourceType, List<StreamOffsetRange> output) {
        Map<Long, List<long[]>> sourceSegments = new HashMap<>();
        for (long id : new HashSet<>(sourceIds)) {
            CommittedObject source = committedObjects.get(id);
            if (source == null || source.metadata.type() != sourceType) {
                throw refuse(MetadataError.OBJECT_NOT_FOUND, "compaction source " + id + " is not a committed "
                    + sourceType + " object");
            }
            for (StreamOffsetRange range : source.liveRanges(streams)) {
                addLiveSegment(sourceSegments, range);
            }
        }
        Map<Long, List<long[]>> outputSegments = new HashMap<>();
        for (StreamOffsetRange range : output) {
            addLiveSegment(outputSegments, range);
        }
        OffsetSegments.requireSameCoverage(sourceSegments, outputSegments);
    }

    /** Adds the part of a range at or above its stream's start offset, if any. */
    private void addLiveSegment(Map<Long, List<long[]>> segments, StreamOffsetRange range) {
        StreamEntry stream = streams.get(range.streamId());
        if (stream != null && range.endOffset() > stream.startOffset) {
            segments.computeIfAbsent(range.streamId(), k -> new ArrayList<>())
                .add(new long[] {Math.max(range.startOffset(), stream.startOffset), range.endOffset()});
        }
    }

    private StreamEntry checkEpoch(long streamId, long epoch) {
        StreamEntry stream = stream(streamId);
        if (epoch < stream.epoch) {
            throw refuse(MetadataError.STALE_EPOCH, "stream " + streamId + " epoch " + epoch
                + " is older than its current epoch " + stream.epoch);
        }
        if (epoch > stream.epoch) {
            throw refuse(MetadataError.INVALID_REQUEST, "stream " + streamId + " epoch " + epoch
                + " is newer than its current epoch " + stream.epoch);
        }
        return stream;
    }

    private StreamEntry stream(long streamId) {
        StreamEntry stream = streams.get(streamId);
        if (stream == null) {
            throw refuse(MetadataError.STREAM_NOT_FOUND, "no stream " + streamId);
        }
        return stream;
    }

    private void addObject(ObjectMetadata metadata, long orderId) {
        preparedObjectExpiry.remove(metadata.objectId());
        CommittedObject object = new CommittedObject(metadata, orderId);
        committedObjects.put(metadata.objectId(), object);
        for (StreamOffsetRange range : metadata.ranges()) {
            StreamEntry stream = streams.get(range.streamId());
            if (stream == null || range.endOffset() <= stream.startOffset) {
                continue;
            }
            stream.ranges.put(range.startOffset(), new ObjectRange(metadata.objectId(), metadata.type(),
                metadata.objectSize(), range.streamId(), range.startOffset(), range.endOffset()));
            object.liveRangeCount++;
        }
        if (object.liveRangeCount == 0) {
            retireObject(metadata.objectId());
        }
    }

    /** Removes a whole object from every stream and lists it for deletion. */
    private void retireObject(long objectId) {
        CommittedObject object = committedObjects.remove(objectId);
        for (StreamOffsetRange range : object.metadata.ranges()) {
            StreamEntry stream = streams.get(range.streamId());
            ObjectRange current = stream == null ? null : stream.ranges.get(range.startOffset());
            if (current != null && current.objectId() == objectId) {
                stream.ranges.remove(range.startOffset());
            }
        }
        garbageSince.put(objectId, clockMillis.getAsLong());
    }

    /** Drops one stream's range; the object becomes garbage when none of its ranges is live. */
    private void dropRange(StreamEntry stream, ObjectRange range) {
        stream.ranges.remove(range.startOffset());
        CommittedObject object = committedObjects.get(range.objectId());
        if (object != null && --object.liveRangeCount == 0) {
            committedObjects.remove(range.objectId());
            garbageSince.put(range.objectId(), clockMillis.getAsLong());
        }
    }

    private static StreamMetadataException refuse(MetadataError error, String message) {
        return new StreamMetadataException(error, message);
    }

    private synchronized <T> CompletableFuture<T> call(Supplier<T> body) {
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (StreamMetadataException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> run(Runnable body) {
        return call(() -> {
            body.run();
            return null;
        });
    }

    private static final class StreamEntry {
        final long streamId;
        long epoch = 0;
        long startOffset = 0;
        long endOffset = 0;
        boolean open = false;
        int nodeId = -1;
        /** Live object ranges by start offset. */
        final NavigableMap<Long, ObjectRange> ranges = new TreeMap<>();

        StreamEntry(long streamId) {
            this.streamId = streamId;
        }

        StreamState state() {
            return new StreamState(streamId, epoch, startOffset, endOffset, open, nodeId);
        }
    }

    private static final class CommittedObject {
        final ObjectMetadata metadata;
        /** Keeps compacted stream-set objects in the order of the uploads they replace. */
        final long orderId;
        int liveRangeCount;

        CommittedObject(ObjectMetadata metadata, long orderId) {
            this.metadata = metadata;
            this.orderId = orderId;
        }

        List<StreamOffsetRange> liveRanges(Map<Long, StreamEntry> streams) {
            List<StreamOffsetRange> live = new ArrayList<>();
            for (StreamOffsetRange range : metadata.ranges()) {
                StreamEntry stream = streams.get(range.streamId());
                ObjectRange current = stream == null ? null : stream.ranges.get(range.startOffset());
                if (current != null && current.objectId() == metadata.objectId()) {
                    live.add(range);
                }
            }
            return live;
        }
    }
}
