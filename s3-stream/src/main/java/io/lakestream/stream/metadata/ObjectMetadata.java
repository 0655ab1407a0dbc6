package io.lakestream.stream.metadata;

import java.util.List;

/** A committed object and the stream ranges it holds, ordered by stream id. */
public record ObjectMetadata(long objectId, ObjectType type, long objectSize, int nodeId,
                             List<StreamOffsetRange> ranges, long committedAtMillis) {
    public ObjectMetadata {
        ranges = List.copyOf(ranges);
    }
}
