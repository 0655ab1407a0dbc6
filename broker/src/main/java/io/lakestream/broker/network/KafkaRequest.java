package io.lakestream.broker.network;

import io.netty.util.ReferenceCounted;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestContext;

/**
 * One parsed request: its context (header, connection, listener), its body and its size.
 *
 * <p>The body's zero-copy fields (a produce request's records) are views of {@code frame}, the
 * bytes the request arrived in. The network layer releases the frame once the handler's
 * response future completes, as Kafka releases a request's buffer after handling it: a handler
 * copies what it keeps longer (a partition's append copies the records before it returns).
 *
 * @param receivedNanos {@link System#nanoTime()} when the frame was decoded, for latency metrics
 * @param frame the request's bytes, or null for a request built in memory
 */
public record KafkaRequest(RequestContext context, AbstractRequest body, int sizeBytes, long receivedNanos,
                           ReferenceCounted frame) {

    /** A request built in memory rather than read from a connection. */
    public KafkaRequest(RequestContext context, AbstractRequest body, int sizeBytes, long receivedNanos) {
        this(context, body, sizeBytes, receivedNanos, null);
    }

    public ApiKeys apiKey() {
        return context.header.apiKey();
    }

    public short apiVersion() {
        return context.header.apiVersion();
    }

    @SuppressWarnings("unchecked")
    public <T extends AbstractRequest> T body(Class<T> type) {
        return (T) body;
    }
}
