package io.lakestream.controller.state;

import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.OffsetSegments;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stream and object commands, applied to one {@link MetadataTransaction} at the time the
 * leader stamped on the command. The rules are those of
 * {@link io.lakestream.stream.metadata.InMemoryStreamMetadata}; every check runs before the
 * first write, and a refusal is thrown so the caller drops the transaction. One instance per
 * command, confined to the applying thread.
 */
final class StreamCommands extends MetadataView {
    private final MetadataTransaction tx;
    private final long nowMillis;

    StreamCommands(MetadataTransaction tx, long nowMillis) {
        super(tx);
        this.tx = tx;
        this.nowMillis = nowMillis;
    }

    long createStream() {
        long id = counter(MetaKeys.NEXT_STREAM_ID);
        tx.put(Table.META, MetaKeys.NEXT_STREAM_ID, Keys.int64(id + 1));
        putStream(new StreamState(id, 0, 0, 0, false, -1));
        return id;
    }

    StreamState openStream(long streamId, int nodeId) {
        StreamState old = stream(streamId);
        BrokerCommands.requireUnfenced(new ClusterReads(tx), nodeId);
        if (old.open()) {
            tx.delete(Table.NODE_OPEN_STREAMS, Keys.nodeStream(old.nodeId(), streamId));
        }
        StreamState opened = new StreamState(streamId, old.epoch() + 1, old.startOffset(), old.endOffset(), true,
            nodeId);
        putStream(opened);
        tx.put(Table.NODE_OPEN_STREAMS, Keys.nodeStream(nodeId, streamId), new byte[0]);
        return opened;
    }

    void closeStream(long streamId, long epoch) {
        StreamState stream = checkEpoch(streamId, epoch);
        if (stream.open()) {
            tx.delete(Table.NODE_OPEN_STREAMS, Keys.nodeStream(stream.nodeId(), streamId));
            putStream(new StreamState(streamId, stream.epoch(), stream.startOffset(), stream.endOffset(), false,
                stream.nodeId()));
        }
    }

    void trimStream(long streamId, long epoch, long newStartOffset) {
        StreamState stream = checkEpoch(streamId, epoch);
        if (newStartOffset <= stream.startOffset()) {
            return;
        }
        putStream(new StreamState(streamId, stream.epoch(), newStartOffset, stream.endOffset(), stream.open(),
            stream.nodeId()));
        for (ObjectRange range : ranges(streamId)) {
            if (range.endOffset() > newStartOffset) {
                break;
            }
            dropRange(range);
        }
    }

    void deleteStream(long streamId, long epoch) {
        checkEpoch(streamId, epoch);
        removeStream(streamId);
    }

    /** Deletes a stream whatever its epoch (its topic is deleted); its objects become garbage. */
    void removeStream(long streamId) {
        StreamState stream = stream(streamId);
        ranges(streamId).forEach(this::dropRange);
        if (stream.open()) {
            tx.delete(Table.NODE_OPEN_STREAMS, Keys.nodeStream(stream.nodeId(), streamId));
        }
        tx.delete(Table.STREAMS, Keys.id(streamId));
    }

    long prepareObjects(int count, long ttlMillis) {
        if (count <= 0 || ttlMillis <= 0) {
            throw refuse(MetadataError.INVALID_REQUEST,
                "prepare needs a positive count and TTL, got " + count + " and " + ttlMillis + " ms");
        }
        long first = counter(MetaKeys.NEXT_OBJECT_ID);
        tx.put(Table.META, MetaKeys.NEXT_OBJECT_ID, Keys.int64(first + count));
        byte[] expiresAt = Keys.int64(nowMillis + ttlMillis);
        for (long id = first; id < first + count; id++) {
            tx.put(Table.PREPARED_OBJECTS, Keys.id(id), expiresAt);
        }
        return first;
    }

    void commitStreamSetObject(CommitStreamSetObjectRequest request) {
        List<StreamObject> streamObjects = request.streamObjects();
        List<Long> compacted = request.compactedObjectIds();
        if (request.objectId() < 0 && !request.ranges().isEmpty()) {
            throw refuse(MetadataError.INVALID_REQUEST, "ranges without a stream-set object id");
        }
        Set<Long> newIds = new LinkedHashSet<>();
        if (request.objectId() >= 0) {
            newIds.add(request.objectId());
        }
        streamObjects.forEach(so -> newIds.add(so.objectId()));
        if (newIds.size() != streamObjects.size() + (request.objectId() >= 0 ? 1 : 0)) {
            throw refuse(MetadataError.INVALID_REQUEST, "object ids repeat in commit of " + newIds);
        }
        newIds.forEach(this::checkPrepared);
        List<StreamOffsetRange> newRanges = new ArrayList<>(request.ranges());
        streamObjects.forEach(so -> newRanges.add(so.range()));
        List<StoredObject> sources = List.of();
        if (compacted.isEmpty()) {
            checkExtendsStreams(newRanges);
        } else {
            sources = checkReplacesExactly(compacted, ObjectType.STREAM_SET, newRanges);
        }
        // After the stream checks, so a zombie whose streams moved hears STALE_EPOCH, the more precise answer.
        BrokerCommands.requireUnfenced(new ClusterReads(tx), request.nodeId());

        long orderId = sources.stream().mapToLong(StoredObject::orderId).min()
            .orElse(request.objectId() >= 0 ? request.objectId() : Long.MAX_VALUE);
        sources.forEach(source -> retireObject(source.objectId()));
        if (request.objectId() >= 0) {
            addObject(new ObjectMetadata(request.objectId(), ObjectType.STREAM_SET, request.objectSize(),
                request.nodeId(), request.ranges(), nowMillis), orderId);
        }
        for (StreamObject so : streamObjects) {
            addObject(new ObjectMetadata(so.objectId(), ObjectType.STREAM, so.objectSize(), request.nodeId(),
                List.of(so.range()), nowMillis), so.objectId());
        }
        if (compacted.isEmpty()) {
            Map<Long, Long> newEnds = new HashMap<>();
            newRanges.forEach(r -> newEnds.merge(r.streamId(), r.endOffset(), Math::max));
            newEnds.forEach((streamId, end) -> {
                StreamState s = stream(streamId);
                putStream(new StreamState(streamId, s.epoch(), s.startOffset(), Math.max(s.endOffset(), end),
                    s.open(), s.nodeId()));
            });
        }
    }

    void commitStreamObject(CommitStreamObjectRequest request) {
        StreamObject so = request.object();
        checkPrepared(so.objectId());
        if (request.sourceObjectIds().isEmpty()) {
            throw refuse(MetadataError.INVALID_REQUEST, "stream object " + so.objectId() + " replaces nothing");
        }
        List<StoredObject> sources = checkReplacesExactly(request.sourceObjectIds(), ObjectType.STREAM,
            List.of(so.range()));
        sources.forEach(source -> retireObject(source.objectId()));
        addObject(new ObjectMetadata(so.objectId(), ObjectType.STREAM, so.objectSize(), -1, List.of(so.range()),
            nowMillis), so.objectId());
    }

    void markObjectsDestroyed(List<Long> objectIds) {
        for (long id : objectIds) {
            tx.delete(Table.GARBAGE_OBJECTS, Keys.id(id));
            tx.delete(Table.PREPARED_OBJECTS, Keys.id(id));
        }
    }

    private void checkPrepared(long objectId) {
        Long expiresAt = preparedExpiry(objectId);
        if (expiresAt == null) {
            throw refuse(MetadataError.OBJECT_NOT_PREPARED, "object " + objectId + " was not prepared"
                + (findObject(objectId) != null ? " (it is already committed)" : ""));
        }
        if (expiresAt <= nowMillis) {
            throw refuse(MetadataError.OBJECT_EXPIRED, "prepared object " + objectId + " expired at " + expiresAt
                + " ms, the commit is at " + nowMillis + " ms");
        }
    }

    /** An upload's ranges must extend each stream from its end offset, in its current epoch. */
    private void checkExtendsStreams(List<StreamOffsetRange> ranges) {
        Map<Long, Long> expectedStart = new HashMap<>();
        List<StreamOffsetRange> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(StreamOffsetRange::streamId)
            .thenComparingLong(StreamOffsetRange::startOffset));
        for (StreamOffsetRange range : sorted) {
            StreamState stream = checkEpoch(range.streamId(), range.epoch());
            if (!stream.open()) {
                throw refuse(MetadataError.STREAM_NOT_OPEN, "stream " + stream.streamId() + " is closed");
            }
            long expected = expectedStart.getOrDefault(stream.streamId(), stream.endOffset());
            if (range.startOffset() != expected) {
                throw refuse(MetadataError.OFFSET_NOT_CONTIGUOUS, "stream " + stream.streamId() + " range ["
                    + range.startOffset() + ", " + range.endOffset() + ") does not start at its end offset "
                    + expected);
            }
            expectedStart.put(stream.streamId(), range.endOffset());
        }
    }

    /**
     * A compaction's output must hold exactly the live offsets of its sources, stream by
     * stream; offsets below a stream's start offset, and streams since deleted, may be
     * dropped. Returns the distinct sources in id order.
     */
    private List<StoredObject> checkReplacesExactly(List<Long> sourceIds, ObjectType sourceType,
                                                    List<StreamOffsetRange> output) {
        List<StoredObject> sources = new ArrayList<>();
        Map<Long, List<long[]>> sourceSegments = new HashMap<>();
        for (long id : new TreeSet<>(sourceIds)) {
            StoredObject source = findObject(id);
            if (source == null || source.metadata().type() != sourceType) {
                throw refuse(MetadataError.OBJECT_NOT_FOUND, "compaction source " + id + " is not a committed "
                    + sourceType + " object");
            }
            sources.add(source);
            for (StreamOffsetRange range : source.metadata().ranges()) {
                ObjectRange live = findRange(range.streamId(), range.startOffset());
                if (live != null && live.objectId() == id) {
                    addLiveSegment(sourceSegments, range);
                }
            }
        }
        Map<Long, List<long[]>> outputSegments = new HashMap<>();
        output.forEach(range -> addLiveSegment(outputSegments, range));
        OffsetSegments.requireSameCoverage(sourceSegments, outputSegments);
        return sources;
    }

    /** Adds the part of a range at or above its stream's start offset, if any. */
    private void addLiveSegment(Map<Long, List<long[]>> segments, StreamOffsetRange range) {
        StreamState stream = findStream(range.streamId());
        if (stream != null && range.endOffset() > stream.startOffset()) {
            segments.computeIfAbsent(range.streamId(), k -> new ArrayList<>())
                .add(new long[] {Math.max(range.startOffset(), stream.startOffset()), range.endOffset()});
        }
    }

    private StreamState checkEpoch(long streamId, long epoch) {
        StreamState stream = stream(streamId);
        if (epoch < stream.epoch()) {
            throw refuse(MetadataError.STALE_EPOCH, "stream " + streamId + " epoch " + epoch
                + " is older than its current epoch " + stream.epoch());
        }
        if (epoch > stream.epoch()) {
            throw refuse(MetadataError.INVALID_REQUEST, "stream " + streamId + " epoch " + epoch
                + " is newer than its current epoch " + stream.epoch());
        }
        return stream;
    }

    private void addObject(ObjectMetadata metadata, long orderId) {
        long objectId = metadata.objectId();
        tx.delete(Table.PREPARED_OBJECTS, Keys.id(objectId));
        int live = 0;
        for (StreamOffsetRange range : metadata.ranges()) {
            StreamState stream = findStream(range.streamId());
            if (stream == null || range.endOffset() <= stream.startOffset()) {
                continue;
            }
            tx.put(Table.STREAM_RANGES, Keys.streamOffset(range.streamId(), range.startOffset()),
                encode(new ObjectRange(objectId, metadata.type(), metadata.objectSize(), range.streamId(),
                    range.startOffset(), range.endOffset()), ValueCodecs.OBJECT_RANGE));
            live++;
        }
        StoredObject object = new StoredObject(metadata, orderId, live);
        tx.put(Table.OBJECTS, Keys.id(objectId), object.toBytes());
        if (metadata.type() == ObjectType.STREAM_SET) {
            tx.put(Table.NODE_STREAM_SET_OBJECTS, Keys.nodeOrderObject(metadata.nodeId(), orderId, objectId),
                new byte[0]);
        }
        if (live == 0) {
            retireObject(objectId);
        }
    }

    /** Removes a whole object from every stream and lists it for deletion. */
    private void retireObject(long objectId) {
        StoredObject object = findObject(objectId);
        for (StreamOffsetRange range : object.metadata().ranges()) {
            ObjectRange current = findRange(range.streamId(), range.startOffset());
            if (current != null && current.objectId() == objectId) {
                tx.delete(Table.STREAM_RANGES, Keys.streamOffset(range.streamId(), range.startOffset()));
            }
        }
        forgetObject(object);
    }

    /** Drops one stream's range; the object becomes garbage when none of its ranges is live. */
    private void dropRange(ObjectRange range) {
        tx.delete(Table.STREAM_RANGES, Keys.streamOffset(range.streamId(), range.startOffset()));
        StoredObject object = findObject(range.objectId());
        if (object == null) {
            return;
        }
        if (object.liveRangeCount() <= 1) {
            forgetObject(object);
        } else {
            tx.put(Table.OBJECTS, Keys.id(object.objectId()),
                object.withLiveRangeCount(object.liveRangeCount() - 1).toBytes());
        }
    }

    private void forgetObject(StoredObject object) {
        tx.delete(Table.OBJECTS, Keys.id(object.objectId()));
        if (object.metadata().type() == ObjectType.STREAM_SET) {
            tx.delete(Table.NODE_STREAM_SET_OBJECTS,
                Keys.nodeOrderObject(object.metadata().nodeId(), object.orderId(), object.objectId()));
        }
        tx.put(Table.GARBAGE_OBJECTS, Keys.id(object.objectId()), Keys.int64(nowMillis));
    }

    private void putStream(StreamState stream) {
        tx.put(Table.STREAMS, Keys.id(stream.streamId()), encode(stream, ValueCodecs.STREAM_STATE));
    }

    /** Offset segments {start, end} of one stream, merged for comparison. */
}
