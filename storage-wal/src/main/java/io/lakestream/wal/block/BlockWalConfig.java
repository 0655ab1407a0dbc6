package io.lakestream.wal.block;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a {@link BlockWal}; immutable, validated when built.
 *
 * @param path          the WAL file; created and preallocated if it does not exist
 * @param capacityBytes size of the circular data region, excluding the two header slots: a
 *                      whole number of 4 KiB blocks, at least two; an existing file must
 *                      have been created with the same capacity
 * @param maxBatchBytes most bytes (record frames) written and fsync'd as one group; also
 *                      bounds the largest record. At most half the capacity, so that any
 *                      record fits once the log is trimmed to its end, whatever the gap
 *                      left at the end of a lap.
 * @param appendTimeout how long an append may wait for {@link BlockWal#trim trim} to free
 *                      space when the log is full before failing; {@link Duration#ZERO}
 *                      fails at once
 */
public record BlockWalConfig(Path path, long capacityBytes, int maxBatchBytes, Duration appendTimeout) {

    /** The log reads and writes whole blocks of this size; its capacity is a multiple of it. */
    public static final int BLOCK_BYTES = 4096;
    public static final int DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;
    public static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofSeconds(10);
    /** Two blocks: small enough for tests, large enough for the largest group that fits. */
    public static final long MIN_CAPACITY_BYTES = 2L * BLOCK_BYTES;

    public BlockWalConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(appendTimeout, "appendTimeout");
        if (capacityBytes < MIN_CAPACITY_BYTES) {
            throw new IllegalArgumentException(
                    "WAL capacity must be at least " + MIN_CAPACITY_BYTES + " bytes, was " + capacityBytes);
        }
        if (capacityBytes % BLOCK_BYTES != 0) {
            throw new IllegalArgumentException("WAL capacity must be a multiple of " + BLOCK_BYTES
                    + " bytes (the WAL writes whole blocks), was " + capacityBytes);
        }
        if (maxBatchBytes <= WalFrame.HEADER_SIZE || maxBatchBytes > capacityBytes / 2) {
            throw new IllegalArgumentException("WAL max batch bytes must be in (" + WalFrame.HEADER_SIZE + ", "
                    + capacityBytes / 2 + "] (half the capacity " + capacityBytes + "), was " + maxBatchBytes);
        }
        if (appendTimeout.isNegative()) {
            throw new IllegalArgumentException("WAL append timeout must not be negative, was " + appendTimeout);
        }
    }

    /** The largest record payload an append accepts. */
    public int maxRecordBytes() {
        return maxBatchBytes - WalFrame.HEADER_SIZE;
    }

    public static Builder builder(Path path, long capacityBytes) {
        return new Builder(path, capacityBytes);
    }

    /** Builds a config; unset values take the defaults above. */
    public static final class Builder {
        private final Path path;
        private final long capacityBytes;
        private int maxBatchBytes = -1;
        private Duration appendTimeout = DEFAULT_APPEND_TIMEOUT;

        private Builder(Path path, long capacityBytes) {
            this.path = path;
            this.capacityBytes = capacityBytes;
        }

        /** Defaults to {@value #DEFAULT_MAX_BATCH_BYTES}, or half the capacity if smaller. */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        public Builder appendTimeout(Duration appendTimeout) {
            this.appendTimeout = appendTimeout;
            return this;
        }

        /** Appends fail at once, instead of waiting for trim, when the log is full. */
        public Builder failFastWhenFull() {
            return appendTimeout(Duration.ZERO);
        }

        public BlockWalConfig build() {
            int batch = maxBatchBytes > 0
                    ? maxBatchBytes
                    : (int) Math.min(DEFAULT_MAX_BATCH_BYTES, capacityBytes / 2);
            return new BlockWalConfig(path, capacityBytes, batch, appendTimeout);
        }
    }
}
