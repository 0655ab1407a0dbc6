package io.lakestream.stream.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Maps an {@link ObjectStorageConfig} onto an SDK v2 async S3 client. Stateless. */
final class S3ClientFactory {
    private S3ClientFactory() {}

    /**
     * A client whose connections run on {@code eventLoops}. The caller owns the event loops
     * and shuts them down after closing the client (the SDK leaves a group it was given alone).
     */
    static S3AsyncClient create(ObjectStorageConfig config, SdkEventLoopGroup eventLoops) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyleAccess())
                .credentialsProvider(credentials(config))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .eventLoopGroup(eventLoops)
                        .maxConcurrency(config.maxConnections())
                        .connectionTimeout(config.connectTimeout())
                        // A request waits for a free connection at most as long as the call may take.
                        .connectionAcquisitionTimeout(config.callTimeout()))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy(config))
                        .apiCallAttemptTimeout(config.attemptTimeout())
                        .apiCallTimeout(config.callTimeout())
                        .build());
        config.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * The SDK's standard strategy: exponential backoff with jitter, a longer backoff for
     * throttling (503 SlowDown, 429), retries of 5xx and I/O errors, and a client-wide token
     * bucket that stops retry storms when the service is down. Retries live here, in the
     * SDK, and nowhere else in the storage layer.
     */
    private static RetryStrategy retryStrategy(ObjectStorageConfig config) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(config.maxRetries() + 1)
                .build();
    }

    private static AwsCredentialsProvider credentials(ObjectStorageConfig config) {
        return config.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
