package io.lakestream.stream.cache;

/**
 * Offsets that should be in the object store are not: the metadata jumps over them, or an
 * object does not hold what its metadata says. Never skipped silently, since a reader would
 * lose records without noticing.
 */
public class StreamDataGapException extends RuntimeException {
    private final long streamId;
    private final long missingOffset;

    public StreamDataGapException(long streamId, long missingOffset, String detail) {
        super("Stream " + streamId + " has no data at offset " + missingOffset + ": " + detail);
        this.streamId = streamId;
        this.missingOffset = missingOffset;
    }

    public long streamId() {
        return streamId;
    }

    /** The first offset that could not be found. */
    public long missingOffset() {
        return missingOffset;
    }
}
