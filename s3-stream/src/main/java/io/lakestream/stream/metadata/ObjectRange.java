package io.lakestream.stream.metadata;

/** Where the offsets {@code [startOffset, endOffset)} of one stream live: in which object. */
public record ObjectRange(long objectId, ObjectType type, long objectSize, long streamId, long startOffset,
                          long endOffset) {}
