package io.lakestream.broker.cluster;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The broker's local, immutable view of the cluster metadata: live brokers, topics, partition
 * leaders and topic configs. Reading it never calls the controller; a new view replaces the
 * old one whenever the controller's metadata changes.
 */
public interface ClusterView {

    String clusterId();

    /** The metadata offset this view reflects. */
    long offset();

    /** Unfenced brokers with their advertised listener. */
    List<BrokerEndpoint> liveBrokers();

    Collection<TopicView> topics();

    Optional<TopicView> topic(String name);

    Optional<TopicView> topic(Uuid id);

    /**
     * The node KRaft-era clients send admin requests to as "the controller". Every Lakestream
     * broker forwards those to the controller quorum, so the live broker with the lowest id is
     * named, or {@code fallback} while none is known.
     */
    default int controllerId(int fallback) {
        return liveBrokers().stream().mapToInt(BrokerEndpoint::nodeId).min().orElse(fallback);
    }

    /** The node id of the broker that leads {@code tp}, or -1 if it does not exist or has no leader. */
    default int leaderOf(TopicPartition tp) {
        return topic(tp.topic())
            .flatMap(topic -> topic.partitions().stream().filter(p -> p.partition() == tp.partition()).findFirst())
            .map(PartitionView::leader)
            .orElse(-1);
    }

    /** A broker as clients reach it. */
    record BrokerEndpoint(int nodeId, String host, int port, String rack) {}

    /** A topic: its id, partitions and the configs set on it (not the broker defaults). */
    record TopicView(String name, Uuid id, List<PartitionView> partitions, Map<String, String> configs) {}

    /** One partition: its stream and its leader ({@code -1} if none is live). */
    record PartitionView(int partition, long streamId, int leader, int leaderEpoch) {}
}
