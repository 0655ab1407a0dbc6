package io.lakestream.stream.object;

import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A complete object, ready to upload, and the stream ranges it holds (ordered by stream id),
 * ready to commit.
 *
 * @param data the object's bytes, from position to limit
 */
public record WrittenObject(ByteBuffer data, List<StreamOffsetRange> ranges) {
    public WrittenObject {
        ranges = List.copyOf(ranges);
    }

    /** The object's size in bytes. */
    public long size() {
        return data.remaining();
    }
}
