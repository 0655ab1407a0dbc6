package io.lakestream.stream.cache;

/**
 * How far a sequential reader fetches ahead: {@code initialBytes} on its first sequential
 * cache miss, doubling on each further one up to {@code maxBytes}.
 */
public record ReadAheadConfig(int initialBytes, int maxBytes) {
    public static final ReadAheadConfig DEFAULT = new ReadAheadConfig(512 * 1024, 32 * 1024 * 1024);

    public ReadAheadConfig {
        if (initialBytes <= 0 || maxBytes < initialBytes) {
            throw new IllegalArgumentException("Read-ahead needs 0 < initialBytes <= maxBytes, got initialBytes "
                + initialBytes + " and maxBytes " + maxBytes);
        }
    }
}
