package io.lakestream.stream.testing;

import io.lakestream.stream.storage.ObjectStorageConfig;
import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process S3 server for tests: s3proxy over its in-memory ({@code transient-nio2})
 * blob store, on a free loopback port, with fixed credentials and one bucket.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start()) {
 *     ObjectStorage storage = new S3ObjectStorage(s3.config());
 * }
 * }</pre>
 * or as a JUnit 5 extension, one server per test class:
 * <pre>{@code
 * @RegisterExtension
 * static final S3ProxyServer S3 = S3ProxyServer.extension();
 * }</pre>
 *
 * <p>Thread-safe once started; objects live in memory and vanish on {@link #close()}.
 */
public final class S3ProxyServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    public static final String ACCESS_KEY = "lakestream-test";
    public static final String SECRET_KEY = "lakestream-test-secret";
    public static final String BUCKET = "lakestream-test";
    public static final String REGION = "us-east-1";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private S3Proxy proxy;
    private BlobStore blobStore;
    private URI endpoint;

    private S3ProxyServer() {}

    /** Starts a server and returns it running. */
    public static S3ProxyServer start() {
        S3ProxyServer server = new S3ProxyServer();
        server.startServer();
        return server;
    }

    /** A server that a JUnit 5 extension starts before all tests of a class and stops after. */
    public static S3ProxyServer extension() {
        return new S3ProxyServer();
    }

    private void startServer() {
        blobStore = new TransientNio2BlobStore();
        blobStore.createContainer(BUCKET);
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                // Port 0: the OS picks a free port, so parallel test JVMs never collide.
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // The SDK sends headers (checksums, SDK metadata) s3proxy may not model.
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start within " + START_TIMEOUT
                            + "; state " + proxy.getState());
                }
                Thread.sleep(5);
            }
        } catch (Exception e) {
            IllegalStateException failure = new IllegalStateException("Could not start s3proxy", e);
            try {
                stop();
            } catch (RuntimeException stopFailure) {
                failure.addSuppressed(stopFailure);
            }
            throw failure;
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Where the server listens, e.g. {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        requireStarted();
        return endpoint;
    }

    /** A configuration that reaches the test bucket with the test credentials. */
    public ObjectStorageConfig config() {
        return configBuilder().build();
    }

    /** {@link #config()} as a builder, to change part size, retries or timeouts. */
    public ObjectStorageConfig.Builder configBuilder() {
        return ObjectStorageConfig.builder(BUCKET)
                .endpoint(endpoint())
                .region(REGION)
                .credentials(ACCESS_KEY, SECRET_KEY)
                .pathStyleAccess(true)
                // Production's retry count: under a burst of requests s3proxy's Jetty now and
                // then closes a kept-alive connection mid-request, which the SDK retries.
                .maxRetries(ObjectStorageConfig.DEFAULT_MAX_RETRIES)
                .callTimeout(Duration.ofSeconds(30))
                .attemptTimeout(Duration.ofSeconds(15));
    }

    private void requireStarted() {
        if (endpoint == null) {
            throw new IllegalStateException("S3ProxyServer is not started");
        }
    }

    /** Stops the server; its objects are gone. Closing twice is a no-op. */
    @Override
    public void close() {
        stop();
    }

    private void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("Could not stop s3proxy", e);
            } finally {
                proxy = null;
                endpoint = null;
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startServer();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }
}
