package io.lakestream.controller.state;

import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.lakestream.stream.metadata.StreamState;
import java.util.ArrayList;
import java.util.List;

/** The stream and object reads, over one consistent view. One instance per query, one thread. */
final class StreamQueries extends MetadataView {

    StreamQueries(StateReader reader) {
        super(reader);
    }

    List<StreamState> openStreams(int nodeId) {
        List<StreamState> result = new ArrayList<>();
        byte[] prefix = Keys.node(nodeId);
        reader.scan(Table.NODE_OPEN_STREAMS, prefix, prefix, (key, value) -> {
            result.add(stream(Keys.streamOfNodeStream(key)));
            return true;
        });
        return result;
    }

    List<ObjectRange> getObjects(long streamId, long startOffset, long endOffset, int limit) {
        stream(streamId);
        long end = endOffset < 0 ? Long.MAX_VALUE : endOffset;
        byte[] prefix = Keys.id(streamId);
        byte[] floor = reader.floorKey(Table.STREAM_RANGES, prefix, Keys.streamOffset(streamId, startOffset));
        List<ObjectRange> result = new ArrayList<>();
        reader.scan(Table.STREAM_RANGES, prefix, floor != null ? floor : Keys.streamOffset(streamId, startOffset),
            (key, value) -> {
                ObjectRange range = decode(value, io.lakestream.controller.codec.ValueCodecs.OBJECT_RANGE);
                if (range.startOffset() >= end || result.size() >= limit) {
                    return false;
                }
                if (range.endOffset() > startOffset) {
                    result.add(range);
                }
                return true;
            });
        return result;
    }

    List<ObjectMetadata> getStreamSetObjects(int nodeId) {
        List<ObjectMetadata> result = new ArrayList<>();
        byte[] prefix = Keys.node(nodeId);
        reader.scan(Table.NODE_STREAM_SET_OBJECTS, prefix, prefix, (key, value) -> {
            result.add(findObject(Keys.objectOfNodeOrderObject(key)).metadata());
            return true;
        });
        return result;
    }

    List<ObjectMetadata> getStreamObjects(long streamId) {
        stream(streamId);
        List<ObjectMetadata> result = new ArrayList<>();
        for (ObjectRange range : ranges(streamId)) {
            if (range.type() == ObjectType.STREAM) {
                result.add(findObject(range.objectId()).metadata());
            }
        }
        return result;
    }

    /**
     * Garbage and expired prepared objects whose grace period has passed at {@code nowMillis},
     * in id order.
     */
    List<Long> getObjectsToDestroy(long nowMillis, long graceMillis) {
        List<Long> result = new ArrayList<>();
        byte[] all = new byte[0];
        reader.scan(Table.GARBAGE_OBJECTS, all, all, (key, value) -> {
            if (Keys.readInt64(value) + graceMillis <= nowMillis) {
                result.add(Keys.readId(key));
            }
            return true;
        });
        reader.scan(Table.PREPARED_OBJECTS, all, all, (key, value) -> {
            if (Keys.readInt64(value) + graceMillis <= nowMillis) {
                result.add(Keys.readId(key));
            }
            return true;
        });
        result.sort(null);
        return result;
    }
}
