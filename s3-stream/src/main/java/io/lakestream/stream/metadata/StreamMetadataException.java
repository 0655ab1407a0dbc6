package io.lakestream.stream.metadata;

/** The metadata refused a call; nothing was changed. */
public class StreamMetadataException extends RuntimeException {
    private final MetadataError error;

    public StreamMetadataException(MetadataError error, String message) {
        super(error + ": " + message);
        this.error = error;
    }

    public MetadataError error() {
        return error;
    }
}
