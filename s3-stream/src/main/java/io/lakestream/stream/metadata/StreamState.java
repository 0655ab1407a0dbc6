package io.lakestream.stream.metadata;

/**
 * A stream as the metadata knows it. {@code endOffset} is the end of what has been committed
 * to objects; a writer may hold later offsets in its write-ahead log.
 */
public record StreamState(long streamId, long epoch, long startOffset, long endOffset, boolean open, int nodeId) {}
