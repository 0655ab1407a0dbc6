package io.lakestream.broker.network;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream of one connection into Kafka request frames: a 4-byte big-endian
 * size, then that many bytes of request (header and body).
 *
 * <pre>
 * BEFORE DECODE (4 + n bytes)         AFTER DECODE (n bytes)
 * +--------+----------------+         +----------------+
 * | size n | header + body  |  -----> | header + body  |
 * +--------+----------------+         +----------------+
 * </pre>
 *
 * A frame larger than {@code socket.request.max.bytes} fails fast with a
 * {@link io.netty.handler.codec.TooLongFrameException} as soon as its size is read, so the
 * broker never buffers it; {@link RequestDispatcher} then logs it and closes the connection,
 * as Apache Kafka does.
 */
final class KafkaFrameDecoder extends LengthFieldBasedFrameDecoder {
    KafkaFrameDecoder(int maxRequestBytes) {
        super(maxRequestBytes, 0, 4, 0, 4, true);
    }
}
