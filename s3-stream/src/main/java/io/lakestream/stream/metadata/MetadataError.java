package io.lakestream.stream.metadata;

/** Why the metadata refused a call. */
public enum MetadataError {
    STREAM_NOT_FOUND,
    STREAM_NOT_OPEN,
    /** A newer epoch opened the stream: the caller is fenced. */
    STALE_EPOCH,
    /** A range does not start at the stream's end offset, or overlaps another. */
    OFFSET_NOT_CONTIGUOUS,
    OBJECT_NOT_PREPARED,
    OBJECT_EXPIRED,
    OBJECT_NOT_FOUND,
    INVALID_REQUEST
}
