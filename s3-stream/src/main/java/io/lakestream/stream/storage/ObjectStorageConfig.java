package io.lakestream.stream.storage;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link S3ObjectStorage} needs to reach a bucket, declared in one place. The
 * broker maps its own configuration keys onto this record; s3-stream knows nothing of them.
 *
 * <p>Immutable and validated on construction; build one with {@link #builder(String)}.
 *
 * @param endpoint the S3 endpoint, e.g. {@code http://127.0.0.1:9000} for MinIO or
 *     s3proxy; empty means the AWS endpoint of {@code region}
 * @param region the signing region
 * @param bucket the bucket every key lives in
 * @param credentials static credentials; empty means the SDK's default provider chain
 *     (environment, system properties, profile, instance role)
 * @param pathStyleAccess address the bucket as {@code endpoint/bucket/key} instead of
 *     {@code bucket.endpoint/key}; most S3-compatible servers need it
 * @param multipartPartSize objects larger than this go up as a multipart upload in parts
 *     of this size (S3 allows 5 MiB to 5 GiB)
 * @param multipartParallelism how many parts of one upload are in flight at once
 * @param maxRetries retries after the first attempt for throttling (503 SlowDown, 429),
 *     5xx and network errors, with the SDK's backoff
 * @param connectTimeout time to open a connection
 * @param attemptTimeout time for one HTTP attempt, including sending the body
 * @param callTimeout time for a whole call, all attempts and backoff included
 * @param maxConnections connections to the endpoint; requests beyond it wait for one
 */
public record ObjectStorageConfig(
        Optional<URI> endpoint,
        String region,
        String bucket,
        Optional<Credentials> credentials,
        boolean pathStyleAccess,
        long multipartPartSize,
        int multipartParallelism,
        int maxRetries,
        Duration connectTimeout,
        Duration attemptTimeout,
        Duration callTimeout,
        int maxConnections) {

    /** S3 rejects multipart parts smaller than this (all but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3 rejects multipart parts larger than this. */
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
    public static final int DEFAULT_MULTIPART_PARALLELISM = 4;
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(2);
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final String DEFAULT_REGION = "us-east-1";

    public ObjectStorageConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(credentials, "credentials");
        requireNonBlank(region, "region");
        requireNonBlank(bucket, "bucket");
        if (multipartPartSize < MIN_PART_SIZE || multipartPartSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("multipartPartSize must be within ["
                    + MIN_PART_SIZE + ", " + MAX_PART_SIZE + "] bytes, was " + multipartPartSize);
        }
        requireAtLeast(multipartParallelism, 1, "multipartParallelism");
        requireAtLeast(maxRetries, 0, "maxRetries");
        requireAtLeast(maxConnections, 1, "maxConnections");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(attemptTimeout, "attemptTimeout");
        requirePositive(callTimeout, "callTimeout");
        if (callTimeout.compareTo(attemptTimeout) < 0) {
            throw new IllegalArgumentException("callTimeout (" + callTimeout
                    + ") must not be shorter than attemptTimeout (" + attemptTimeout + ")");
        }
    }

    /** A builder with every default set, for {@code bucket}. */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /** A builder holding this configuration, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(bucket);
        b.endpoint = endpoint.orElse(null);
        b.region = region;
        b.credentials = credentials.orElse(null);
        b.pathStyleAccess = pathStyleAccess;
        b.multipartPartSize = multipartPartSize;
        b.multipartParallelism = multipartParallelism;
        b.maxRetries = maxRetries;
        b.connectTimeout = connectTimeout;
        b.attemptTimeout = attemptTimeout;
        b.callTimeout = callTimeout;
        b.maxConnections = maxConnections;
        return b;
    }

    private static void requireNonBlank(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void requireAtLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    /** An access key pair. {@link #toString()} does not print the secret. */
    public record Credentials(String accessKeyId, String secretAccessKey) {
        public Credentials {
            requireNonBlank(accessKeyId, "accessKeyId");
            requireNonBlank(secretAccessKey, "secretAccessKey");
        }

        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=<redacted>]";
        }
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private URI endpoint;
        private String region = DEFAULT_REGION;
        private final String bucket;
        private Credentials credentials;
        private boolean pathStyleAccess;
        private long multipartPartSize = DEFAULT_PART_SIZE;
        private int multipartParallelism = DEFAULT_MULTIPART_PARALLELISM;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;

        private Builder(String bucket) {
            this.bucket = bucket;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.credentials = new Credentials(accessKeyId, secretAccessKey);
            return this;
        }

        /** Use the SDK's default credentials provider chain (the default). */
        public Builder defaultCredentials() {
            this.credentials = null;
            return this;
        }

        public Builder pathStyleAccess(boolean pathStyleAccess) {
            this.pathStyleAccess = pathStyleAccess;
            return this;
        }

        public Builder multipartPartSize(long bytes) {
            this.multipartPartSize = bytes;
            return this;
        }

        public Builder multipartParallelism(int parts) {
            this.multipartParallelism = parts;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder attemptTimeout(Duration timeout) {
            this.attemptTimeout = timeout;
            return this;
        }

        public Builder callTimeout(Duration timeout) {
            this.callTimeout = timeout;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public ObjectStorageConfig build() {
            return new ObjectStorageConfig(Optional.ofNullable(endpoint), region, bucket,
                    Optional.ofNullable(credentials), pathStyleAccess, multipartPartSize,
                    multipartParallelism, maxRetries, connectTimeout, attemptTimeout,
                    callTimeout, maxConnections);
        }
    }
}
