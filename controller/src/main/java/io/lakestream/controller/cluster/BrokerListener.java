package io.lakestream.controller.cluster;

/** Where a broker accepts connections: a listener name (as in {@code listeners=NAME://host:port}), host and port. */
public record BrokerListener(String name, String host, int port) {
    public BrokerListener {
        if (name == null || name.isEmpty() || host == null) {
            throw new IllegalArgumentException("a listener needs a name and a host, got " + name + "://" + host);
        }
    }
}
