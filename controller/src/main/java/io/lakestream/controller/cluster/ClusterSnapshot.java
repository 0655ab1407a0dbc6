package io.lakestream.controller.cluster;

import java.util.List;

/** All cluster metadata at metadata offset {@code offset}: brokers by node id, topics by name. */
public record ClusterSnapshot(long offset, List<BrokerRegistration> brokers, List<TopicDescription> topics) {
    public ClusterSnapshot {
        brokers = List.copyOf(brokers);
        topics = List.copyOf(topics);
    }
}
