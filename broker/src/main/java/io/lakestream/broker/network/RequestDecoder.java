package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * Parses one request frame into a {@link KafkaRequest} with kafka-clients' {@link RequestHeader}
 * and {@link RequestContext}, in place: the request keeps the frame, which its zero-copy fields
 * (a produce request's records) are views of, and {@link RequestDispatcher} releases it once the
 * response is complete. Copying every request into the heap instead cost as many bytes of
 * garbage as the broker took in, a humongous allocation for each large produce request.
 *
 * <p>A frame that does not parse (unknown API key, a header or body that is not valid for its
 * version) fails the decode with {@link MalformedRequestException}; {@link RequestDispatcher}
 * closes that connection, as Apache Kafka does. An ApiVersions request of a version this
 * broker does not know is parsed as version 0, so the client is told which versions exist.
 *
 * <p>Runs on the connection's event loop.
 */
final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final ListenerName listenerName;
    private ClientInformation clientInformation = ClientInformation.EMPTY;

    RequestDecoder(ListenerName listenerName) {
        this.listenerName = listenerName;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        int size = frame.readableBytes();
        ByteBuffer buffer = frame.nioBuffer();
        RequestContext context;
        RequestAndSize parsed;
        try {
            RequestHeader header = RequestHeader.parse(buffer);
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            context = new RequestContext(header, ctx.channel().id().asShortText(), remote.getAddress(),
                java.util.Optional.of(remote.getPort()), KafkaPrincipal.ANONYMOUS, listenerName,
                SecurityProtocol.PLAINTEXT, clientInformation, false);
            parsed = context.parseRequest(buffer);
        } catch (RuntimeException e) {
            throw new MalformedRequestException("Cannot parse a request of " + size + " bytes from "
                + ctx.channel().remoteAddress() + ": " + e.getMessage(), e);
        }
        if (parsed.request instanceof org.apache.kafka.common.requests.ApiVersionsRequest apiVersions
            && apiVersions.isValid()) {
            // Later requests of this connection carry the client's name, as Kafka's do.
            clientInformation = new ClientInformation(apiVersions.data().clientSoftwareName(),
                apiVersions.data().clientSoftwareVersion());
        }
        // MessageToMessageDecoder releases the frame after decode: the request holds one more reference.
        out.add(new KafkaRequest(context, parsed.request, size, System.nanoTime(), frame.retain()));
    }
}
