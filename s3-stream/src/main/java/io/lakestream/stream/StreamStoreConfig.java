package io.lakestream.stream;

import java.time.Duration;

/**
 * Settings of a node's {@link StreamStore}, declared in one place. The broker maps its
 * server.properties keys onto this; s3-stream itself knows nothing of Kafka configs.
 *
 * @param nodeId the node that writes: stream-set objects and open streams are per node
 * @param uploadInterval how long appended data may wait in the log cache before an upload
 * @param uploadThresholdBytes an upload starts early once this much data is waiting
 * @param streamObjectThresholdBytes a stream with at least this much data in one upload (or
 *     one compaction) gets its own stream object instead of a share of a stream-set object
 * @param logCacheCapacityBytes memory for recent batches; uploaded data is evicted past it
 * @param blockCacheCapacityBytes memory for data blocks read from objects
 * @param objectBlockSizeBytes target size of one data block in an object
 * @param preparedObjectTtl how long a prepared object id stays valid before its commit
 * @param compactionInterval how often objects are compacted and unreferenced ones deleted
 * @param compactionMaxBytes the most stream-set object bytes one compaction run reads
 * @param streamObjectTargetBytes stream objects are merged up to this size
 */
public record StreamStoreConfig(
    int nodeId,
    Duration uploadInterval,
    long uploadThresholdBytes,
    long streamObjectThresholdBytes,
    long logCacheCapacityBytes,
    long blockCacheCapacityBytes,
    int objectBlockSizeBytes,
    Duration preparedObjectTtl,
    Duration compactionInterval,
    long compactionMaxBytes,
    long streamObjectTargetBytes) {

    public StreamStoreConfig {
        requirePositive("uploadInterval", uploadInterval.toMillis());
        requirePositive("uploadThresholdBytes", uploadThresholdBytes);
        requirePositive("streamObjectThresholdBytes", streamObjectThresholdBytes);
        requirePositive("blockCacheCapacityBytes", blockCacheCapacityBytes);
        requirePositive("objectBlockSizeBytes", objectBlockSizeBytes);
        requirePositive("preparedObjectTtl", preparedObjectTtl.toMillis());
        requirePositive("compactionInterval", compactionInterval.toMillis());
        requirePositive("compactionMaxBytes", compactionMaxBytes);
        requirePositive("streamObjectTargetBytes", streamObjectTargetBytes);
        if (logCacheCapacityBytes < uploadThresholdBytes) {
            throw new IllegalArgumentException("logCacheCapacityBytes (" + logCacheCapacityBytes
                + ") must be at least uploadThresholdBytes (" + uploadThresholdBytes + ")");
        }
    }

    public static Builder builder(int nodeId) {
        return new Builder(nodeId);
    }

    public static StreamStoreConfig defaults(int nodeId) {
        return builder(nodeId).build();
    }

    public Builder toBuilder() {
        return new Builder(nodeId)
            .uploadInterval(uploadInterval)
            .uploadThresholdBytes(uploadThresholdBytes)
            .streamObjectThresholdBytes(streamObjectThresholdBytes)
            .logCacheCapacityBytes(logCacheCapacityBytes)
            .blockCacheCapacityBytes(blockCacheCapacityBytes)
            .objectBlockSizeBytes(objectBlockSizeBytes)
            .preparedObjectTtl(preparedObjectTtl)
            .compactionInterval(compactionInterval)
            .compactionMaxBytes(compactionMaxBytes)
            .streamObjectTargetBytes(streamObjectTargetBytes);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Unset values take the defaults, which follow ../shared/DESIGN.md. */
    public static final class Builder {
        private final int nodeId;
        private Duration uploadInterval = Duration.ofMillis(500);
        private long uploadThresholdBytes = 32L << 20;
        private long streamObjectThresholdBytes = 8L << 20;
        private long logCacheCapacityBytes = 256L << 20;
        private long blockCacheCapacityBytes = 256L << 20;
        private int objectBlockSizeBytes = 512 << 10;
        private Duration preparedObjectTtl = Duration.ofMinutes(10);
        private Duration compactionInterval = Duration.ofMinutes(5);
        private long compactionMaxBytes = 512L << 20;
        private long streamObjectTargetBytes = 1L << 30;

        private Builder(int nodeId) {
            this.nodeId = nodeId;
        }

        public Builder uploadInterval(Duration value) {
            this.uploadInterval = value;
            return this;
        }

        public Builder uploadThresholdBytes(long value) {
            this.uploadThresholdBytes = value;
            return this;
        }

        public Builder streamObjectThresholdBytes(long value) {
            this.streamObjectThresholdBytes = value;
            return this;
        }

        public Builder logCacheCapacityBytes(long value) {
            this.logCacheCapacityBytes = value;
            return this;
        }

        public Builder blockCacheCapacityBytes(long value) {
            this.blockCacheCapacityBytes = value;
            return this;
        }

        public Builder objectBlockSizeBytes(int value) {
            this.objectBlockSizeBytes = value;
            return this;
        }

        public Builder preparedObjectTtl(Duration value) {
            this.preparedObjectTtl = value;
            return this;
        }

        public Builder compactionInterval(Duration value) {
            this.compactionInterval = value;
            return this;
        }

        public Builder compactionMaxBytes(long value) {
            this.compactionMaxBytes = value;
            return this;
        }

        public Builder streamObjectTargetBytes(long value) {
            this.streamObjectTargetBytes = value;
            return this;
        }

        public StreamStoreConfig build() {
            return new StreamStoreConfig(nodeId, uploadInterval, uploadThresholdBytes, streamObjectThresholdBytes,
                logCacheCapacityBytes, blockCacheCapacityBytes, objectBlockSizeBytes, preparedObjectTtl,
                compactionInterval, compactionMaxBytes, streamObjectTargetBytes);
        }
    }
}
