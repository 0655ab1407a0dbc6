package io.lakestream.stream.wal;

import java.util.Objects;

/**
 * Settings of an {@link ObjectWal}, declared in one place. Immutable and validated.
 *
 * @param prefix the key prefix of this log's objects, ending in {@code /} so that one log's
 *     listing never picks up another's ({@code wal/node-1/} vs {@code wal/node-10/})
 * @param maxInFlightPuts how many objects may be uploading at once; appends that arrive
 *     while all slots are busy are grouped into the next object
 * @param maxObjectBytes an object is sealed once its records reach about this many bytes
 *     (a single larger record still gets an object of its own)
 */
public record ObjectWalConfig(String prefix, int maxInFlightPuts, int maxObjectBytes) {
    /**
     * S3 PUTs take tens of milliseconds whatever their size, so a few in parallel keep
     * append latency near one PUT under load while grouping still bounds the PUT rate.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT_PUTS = 4;
    public static final int DEFAULT_MAX_OBJECT_BYTES = 8 * 1024 * 1024;

    public ObjectWalConfig {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || !prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix must be non-empty and end with '/', was '" + prefix + "'");
        }
        if (maxInFlightPuts < 1) {
            throw new IllegalArgumentException("maxInFlightPuts must be at least 1, was " + maxInFlightPuts);
        }
        if (maxObjectBytes < 1) {
            throw new IllegalArgumentException("maxObjectBytes must be at least 1, was " + maxObjectBytes);
        }
    }

    /** The defaults, under {@code prefix}. */
    public static ObjectWalConfig withPrefix(String prefix) {
        return new ObjectWalConfig(prefix, DEFAULT_MAX_IN_FLIGHT_PUTS, DEFAULT_MAX_OBJECT_BYTES);
    }
}
