package io.lakestream.broker.handler.admin;

import org.apache.kafka.common.errors.InvalidRequestException;

/** The name of a BROKER config resource: empty for the cluster-wide defaults, else a node id. */
final class BrokerResource {
    private BrokerResource() {}

    static boolean isClusterDefault(String name) {
        return name == null || name.isEmpty();
    }

    /** Kafka's check that a request about one broker's configs reached that broker. */
    static void requireNode(String name, int nodeId) {
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
        if (id != nodeId) {
            throw new InvalidRequestException("Unexpected broker id, expected " + nodeId
                + " or empty string, but received " + name);
        }
    }
}
