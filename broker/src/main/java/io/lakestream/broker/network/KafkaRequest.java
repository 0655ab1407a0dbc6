package io.lakestream.broker.network;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestContext;

/**
 * One parsed request: its context (header, connection, listener), its body and its size.
 *
 * @param receivedNanos {@link System#nanoTime()} when the frame was decoded, for latency metrics
 */
public record KafkaRequest(RequestContext context, AbstractRequest body, int sizeBytes, long receivedNanos) {

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
