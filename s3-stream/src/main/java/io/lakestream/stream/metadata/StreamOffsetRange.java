package io.lakestream.stream.metadata;

/** The offsets {@code [startOffset, endOffset)} of one stream, as written by one epoch. */
public record StreamOffsetRange(long streamId, long epoch, long startOffset, long endOffset) {
    public StreamOffsetRange {
        if (endOffset <= startOffset) {
            throw new IllegalArgumentException("Empty or negative range [" + startOffset + ", " + endOffset
                + ") of stream " + streamId);
        }
    }
}
