package io.lakestream.stream.metadata;

import java.util.List;

/** A stream object that replaces {@code sourceObjectIds} of the same stream. */
public record CommitStreamObjectRequest(StreamObject object, List<Long> sourceObjectIds) {
    public CommitStreamObjectRequest {
        sourceObjectIds = List.copyOf(sourceObjectIds);
    }
}
