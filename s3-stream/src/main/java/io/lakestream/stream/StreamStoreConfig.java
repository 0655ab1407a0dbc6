package io.lakestream.stream;

import java.time.Duration;

/**
 * Settings of a node's {@link StreamStore}, declared in one place. The broker maps its
 * server.properties keys onto this; s3-stream itself knows nothing of Kafka configs.
 *
 * @param nodeId the node that writes: stream-set objects and open streams are per node
 * @param uploadInterval how long appended data may wait in the log cache before an upload
 * @param uploadThresholdBytes an upload starts early once this much data is waiting
 * @param streamObjectThresholdBytes a stream with at least this much data in one upload gets
 *     its own stream object instead of a share of the stream-set object
 * @param logCacheCapacityBytes memory for recent batches; uploaded data is evicted past it
 * @param objectBlockSizeBytes target size of one data block in an object
 * @param preparedObjectTtl how long a prepared object id stays valid before its commit
 */
public record StreamStoreConfig(
    int nodeId,
    Duration uploadInterval,
    long uploadThresholdBytes,
    long streamObjectThresholdBytes,
    long logCacheCapacityBytes,
    int objectBlockSizeBytes,
    Duration preparedObjectTtl) {

    public static final Duration DEFAULT_UPLOAD_INTERVAL = Duration.ofMillis(500);
    public static final long DEFAULT_UPLOAD_THRESHOLD_BYTES = 32L << 20;
    public static final long DEFAULT_STREAM_OBJECT_THRESHOLD_BYTES = 8L << 20;
    public static final long DEFAULT_LOG_CACHE_CAPACITY_BYTES = 256L << 20;
    public static final int DEFAULT_OBJECT_BLOCK_SIZE_BYTES = 512 << 10;
    public static final Duration DEFAULT_PREPARED_OBJECT_TTL = Duration.ofMinutes(10);

    public StreamStoreConfig {
        requirePositive("uploadInterval", uploadInterval.toMillis());
        requirePositive("uploadThresholdBytes", uploadThresholdBytes);
        requirePositive("streamObjectThresholdBytes", streamObjectThresholdBytes);
        requirePositive("objectBlockSizeBytes", objectBlockSizeBytes);
        requirePositive("preparedObjectTtl", preparedObjectTtl.toMillis());
        if (logCacheCapacityBytes < uploadThresholdBytes) {
            throw new IllegalArgumentException("logCacheCapacityBytes (" + logCacheCapacityBytes
                + ") must be at least uploadThresholdBytes (" + uploadThresholdBytes + ")");
        }
    }

    public static StreamStoreConfig defaults(int nodeId) {
        return new StreamStoreConfig(nodeId, DEFAULT_UPLOAD_INTERVAL, DEFAULT_UPLOAD_THRESHOLD_BYTES,
            DEFAULT_STREAM_OBJECT_THRESHOLD_BYTES, DEFAULT_LOG_CACHE_CAPACITY_BYTES,
            DEFAULT_OBJECT_BLOCK_SIZE_BYTES, DEFAULT_PREPARED_OBJECT_TTL);
    }

    public StreamStoreConfig withUploadInterval(Duration interval) {
        return new StreamStoreConfig(nodeId, interval, uploadThresholdBytes, streamObjectThresholdBytes,
            logCacheCapacityBytes, objectBlockSizeBytes, preparedObjectTtl);
    }

    public StreamStoreConfig withStreamObjectThresholdBytes(long threshold) {
        return new StreamStoreConfig(nodeId, uploadInterval, uploadThresholdBytes, threshold,
            logCacheCapacityBytes, objectBlockSizeBytes, preparedObjectTtl);
    }

    public StreamStoreConfig withUploadThresholdBytes(long threshold) {
        return new StreamStoreConfig(nodeId, uploadInterval, threshold, streamObjectThresholdBytes,
            Math.max(logCacheCapacityBytes, threshold), objectBlockSizeBytes, preparedObjectTtl);
    }

    public StreamStoreConfig withLogCacheCapacityBytes(long capacity) {
        return new StreamStoreConfig(nodeId, uploadInterval, uploadThresholdBytes, streamObjectThresholdBytes,
            capacity, objectBlockSizeBytes, preparedObjectTtl);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
