package io.lakestream.controller.cluster;

import org.apache.kafka.common.protocol.Errors;

/**
 * The controller refused a cluster command (brokers, topics, configs, producer ids, KV); nothing
 * was changed. The code is Kafka's own {@link Errors}, so a broker answers its client with
 * {@link #error()} as is. Stream and object refusals stay
 * {@link io.lakestream.stream.metadata.StreamMetadataException}s, the s3-stream vocabulary.
 */
public class ClusterMetadataException extends RuntimeException {
    private final Errors error;

    public ClusterMetadataException(Errors error, String message) {
        super(error.name() + ": " + message);
        if (error == Errors.NONE) {
            throw new IllegalArgumentException("a refusal needs an error, not NONE");
        }
        this.error = error;
    }

    public Errors error() {
        return error;
    }

    /** The message without the "ERROR: " prefix. */
    public String detail() {
        String prefix = error.name() + ": ";
        return getMessage().startsWith(prefix) ? getMessage().substring(prefix.length()) : getMessage();
    }
}
