package io.lakestream.stream.metadata;

import java.util.List;

/**
 * One upload or one stream-set compaction. {@code objectId} is -1 when every range went to a
 * stream object and no stream-set object was written.
 */
public record CommitStreamSetObjectRequest(long objectId, int nodeId, long objectSize,
                                           List<StreamOffsetRange> ranges, List<StreamObject> streamObjects,
                                           List<Long> compactedObjectIds) {
    public CommitStreamSetObjectRequest {
        ranges = List.copyOf(ranges);
        streamObjects = List.copyOf(streamObjects);
        compactedObjectIds = List.copyOf(compactedObjectIds);
    }
}
