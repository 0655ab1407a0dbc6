package io.lakestream.broker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One blocking connection that sends kafka-clients' own request objects and parses the
 * responses: for the requests the Admin client no longer sends (the legacy AlterConfigs) and
 * for reading raw record batches; and, for the compat tests, to see the error codes the clients
 * turn into exceptions or retries. Not thread-safe.
 */
public final class KafkaWire implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;
    /** The newest version of each API the server supports; asked for on the first negotiated send. */
    private Map<ApiKeys, Short> serverVersions;

    public KafkaWire(String host, int port) throws IOException {
        this.socket = new Socket(host, port);
        socket.setSoTimeout(30_000);
        this.out = new DataOutputStream(socket.getOutputStream());
        this.in = new DataInputStream(socket.getInputStream());
    }

    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "kafka-wire", ++correlationId);
        ByteBuffer frame = request.serializeWithHeader(header);
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
        return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
    }

    /**
     * Sends the request at the newest version that both kafka-clients and the server support,
     * as a client does; the server's versions are asked for once, with ApiVersions.
     */
    public <R extends AbstractResponse> R send(AbstractRequest.Builder<?> builder) throws IOException {
        if (serverVersions == null) {
            ApiVersionsResponse versions = send(new ApiVersionsRequest.Builder().build());
            serverVersions = new EnumMap<>(ApiKeys.class);
            for (ApiVersion api : versions.data().apiKeys()) {
                if (ApiKeys.hasId(api.apiKey())) {
                    serverVersions.put(ApiKeys.forId(api.apiKey()), api.maxVersion());
                }
            }
        }
        Short serverMax = serverVersions.get(builder.apiKey());
        if (serverMax == null || serverMax < builder.oldestAllowedVersion()) {
            throw new IllegalStateException("The server does not support " + builder.apiKey()
                + " at any version from " + builder.oldestAllowedVersion() + ": " + serverMax);
        }
        return send(builder.build((short) Math.min(serverMax, builder.latestAllowedVersion())));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
