package io.lakestream.stream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.S3ObjectStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class S3ProxyServerTest {
    @Test
    void servesTheTestBucketOnLoopbackUntilClosed() throws Exception {
        S3ProxyServer server = S3ProxyServer.start();
        InetSocketAddress address;
        try (S3ObjectStorage storage = new S3ObjectStorage(server.config())) {
            assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
            address = new InetSocketAddress(server.endpoint().getHost(), server.endpoint().getPort());
            storage.write("hello", ByteBuffer.wrap(new byte[] {1, 2, 3})).get();
            assertThat(storage.list("").get()).extracting(o -> o.key()).containsExactly("hello");
        } finally {
            server.close();
        }

        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(address, 1000);
            }
        }).as("connecting after close").isInstanceOf(IOException.class);
        assertThatThrownBy(server::config).isInstanceOf(IllegalStateException.class);
    }
}
