package io.lakestream.broker.network;

/**
 * Settings of the Kafka listener.
 *
 * @param listenerName the listener's name, as clients see it in metadata (PLAINTEXT)
 * @param host the address to bind
 * @param port the port to bind; 0 picks a free one
 * @param networkThreads event loops that read and write connections
 * @param maxRequestBytes {@code socket.request.max.bytes}: a larger request closes its connection
 * @param maxInFlightRequestsPerConnection pipelined requests a connection may have before it stops being read
 * @param fetchInlineMaxBytes Fetch requests up to this size are handled on the event loop that read them
 */
public record NetworkConfig(String listenerName, String host, int port, int networkThreads, int maxRequestBytes,
                            int maxInFlightRequestsPerConnection, int fetchInlineMaxBytes) {}
