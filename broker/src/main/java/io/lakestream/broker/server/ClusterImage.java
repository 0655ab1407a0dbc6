package io.lakestream.broker.server;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterSnapshot;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicDescription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * An immutable {@link ClusterView} built from the controller's snapshot and deltas. Applying a
 * delta returns a new image; readers of the old one are unaffected.
 */
final class ClusterImage implements ClusterView {
    private final String clusterId;
    private final String listenerName;
    private final long offset;
    private final Map<Integer, BrokerRegistration> brokers;
    private final Map<Uuid, TopicDescription> topicsById;
    private final Map<String, TopicDescription> topicsByName;

    private ClusterImage(String clusterId, String listenerName, long offset, Map<Integer, BrokerRegistration> brokers,
                         Map<Uuid, TopicDescription> topicsById) {
        this.clusterId = clusterId;
        this.listenerName = listenerName;
        this.offset = offset;
        this.brokers = Collections.unmodifiableMap(brokers);
        this.topicsById = Collections.unmodifiableMap(topicsById);
        Map<String, TopicDescription> byName = new TreeMap<>();
        topicsById.values().forEach(topic -> byName.put(topic.name(), topic));
        this.topicsByName = Collections.unmodifiableMap(byName);
    }

    static ClusterImage empty(String clusterId, String listenerName) {
        return new ClusterImage(clusterId, listenerName, -1, Map.of(), Map.of());
    }

    ClusterImage withSnapshot(ClusterSnapshot snapshot) {
        Map<Integer, BrokerRegistration> newBrokers = new TreeMap<>();
        snapshot.brokers().forEach(broker -> newBrokers.put(broker.nodeId(), broker));
        Map<Uuid, TopicDescription> newTopics = new HashMap<>();
        snapshot.topics().forEach(topic -> newTopics.put(topic.topicId(), topic));
        return new ClusterImage(clusterId, listenerName, snapshot.offset(), newBrokers, newTopics);
    }

    ClusterImage withDelta(ClusterDelta delta) {
        Map<Integer, BrokerRegistration> newBrokers = new TreeMap<>(brokers);
        Map<Uuid, TopicDescription> newTopics = new HashMap<>(topicsById);
        for (ClusterChange change : delta.changes()) {
            if (change instanceof ClusterChange.BrokerChanged c) {
                newBrokers.put(c.broker().nodeId(), c.broker());
            } else if (change instanceof ClusterChange.TopicChanged c) {
                TopicDescription old = newTopics.get(c.topicId());
                newTopics.put(c.topicId(), new TopicDescription(c.topicId(), c.name(), c.configs(),
                    old == null ? List.of() : old.partitions()));
            } else if (change instanceof ClusterChange.TopicRemoved c) {
                newTopics.remove(c.topicId());
            } else if (change instanceof ClusterChange.PartitionChanged c) {
                PartitionState partition = c.partition();
                TopicDescription old = newTopics.get(partition.topicId());
                if (old != null) {
                    List<PartitionState> partitions = new ArrayList<>(old.partitions());
                    while (partitions.size() <= partition.partition()) {
                        partitions.add(null);
                    }
                    partitions.set(partition.partition(), partition);
                    newTopics.put(old.topicId(), new TopicDescription(old.topicId(), old.name(), old.configs(),
                        partitions.stream().filter(p -> p != null).toList()));
                }
            }
        }
        return new ClusterImage(clusterId, listenerName, delta.offset(), newBrokers, newTopics);
    }

    Collection<TopicDescription> topicDescriptions() {
        return topicsById.values();
    }

    Optional<BrokerRegistration> broker(int nodeId) {
        return Optional.ofNullable(brokers.get(nodeId));
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public long offset() {
        return offset;
    }

    @Override
    public List<BrokerEndpoint> liveBrokers() {
        List<BrokerEndpoint> live = new ArrayList<>();
        for (BrokerRegistration broker : brokers.values()) {
            if (broker.fenced() || broker.listeners().isEmpty()) {
                continue;
            }
            BrokerListener listener = broker.listeners().stream()
                .filter(l -> l.name().equalsIgnoreCase(listenerName))
                .findFirst()
                .orElse(broker.listeners().get(0));
            live.add(new BrokerEndpoint(broker.nodeId(), listener.host(), listener.port(), broker.rack()));
        }
        return live;
    }

    @Override
    public Collection<TopicView> topics() {
        return topicsByName.values().stream().map(ClusterImage::view).toList();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return Optional.ofNullable(topicsByName.get(name)).map(ClusterImage::view);
    }

    @Override
    public Optional<TopicView> topic(Uuid id) {
        return Optional.ofNullable(topicsById.get(id)).map(ClusterImage::view);
    }

    private static TopicView view(TopicDescription topic) {
        return new TopicView(topic.name(), topic.topicId(), topic.partitions().stream()
            .map(p -> new PartitionView(p.partition(), p.streamId(), p.leader(), p.leaderEpoch()))
            .toList(), topic.configs());
    }
}
