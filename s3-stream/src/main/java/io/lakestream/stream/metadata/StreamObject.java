package io.lakestream.stream.metadata;

/** A stream object written in an upload or a compaction. */
public record StreamObject(long objectId, long objectSize, StreamOffsetRange range) {}
