package io.lakestream.controller.image;

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
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A broker's view of cluster metadata at one metadata offset: brokers with their listeners
 * and fenced state, topics by name and by id, each partition's stream, leader and leader
 * epoch, and topic config overrides. Immutable, so any thread may read it; a newer image comes
 * from {@link #apply} (a pure function) or from a {@link ClusterSnapshot}.
 */
public final class ClusterImage {
    public static final ClusterImage EMPTY = new ClusterImage(0, new TreeMap<>(), new HashMap<>(), new TreeMap<>());

    private final long offset;
    private final SortedMap<Integer, BrokerRegistration> brokers;
    private final Map<Uuid, TopicDescription> topicsById;
    private final SortedMap<String, TopicDescription> topicsByName;

    private ClusterImage(long offset, SortedMap<Integer, BrokerRegistration> brokers,
                         Map<Uuid, TopicDescription> topicsById, SortedMap<String, TopicDescription> topicsByName) {
        this.offset = offset;
        this.brokers = Collections.unmodifiableSortedMap(brokers);
        this.topicsById = Collections.unmodifiableMap(topicsById);
        this.topicsByName = Collections.unmodifiableSortedMap(topicsByName);
    }

    /** The image of everything in {@code snapshot}. */
    public static ClusterImage of(ClusterSnapshot snapshot) {
        Builder builder = new Builder(EMPTY);
        snapshot.brokers().forEach(b -> builder.apply(new ClusterChange.BrokerChanged(b)));
        for (TopicDescription topic : snapshot.topics()) {
            builder.apply(new ClusterChange.TopicChanged(topic.topicId(), topic.name(), topic.configs()));
            topic.partitions().forEach(p -> builder.apply(new ClusterChange.PartitionChanged(p)));
        }
        return builder.build(snapshot.offset());
    }

    /** This image with {@code delta} applied; its offset becomes the delta's. */
    public ClusterImage apply(ClusterDelta delta) {
        return applyAll(List.of(delta));
    }

    /** This image with {@code deltas} applied in order (copying the maps once). */
    public ClusterImage applyAll(List<ClusterDelta> deltas) {
        if (deltas.isEmpty()) {
            return this;
        }
        Builder builder = new Builder(this);
        long newOffset = offset;
        for (ClusterDelta delta : deltas) {
            if (delta.offset() <= newOffset) {
                throw new IllegalArgumentException("delta at offset " + delta.offset() + " is not after the image at "
                    + newOffset);
            }
            delta.changes().forEach(builder::apply);
            newOffset = delta.offset();
        }
        return builder.build(newOffset);
    }

    /** The metadata offset of the newest change this image holds (a snapshot's: the offset it was taken at). */
    public long offset() {
        return offset;
    }

    /** Every broker, in node id order. */
    public Collection<BrokerRegistration> brokers() {
        return brokers.values();
    }

    /** The broker, or null. */
    public BrokerRegistration broker(int nodeId) {
        return brokers.get(nodeId);
    }

    public long fencedBrokerCount() {
        return brokers.values().stream().filter(BrokerRegistration::fenced).count();
    }

    /** Every topic, in name order. */
    public Collection<TopicDescription> topics() {
        return topicsByName.values();
    }

    /** The topic, or null. */
    public TopicDescription topic(String name) {
        return topicsByName.get(name);
    }

    /** The topic, or null. */
    public TopicDescription topic(Uuid topicId) {
        return topicsById.get(topicId);
    }

    /** The partition, or null when the topic or the partition does not exist. */
    public PartitionState partition(String topic, int partition) {
        TopicDescription description = topicsByName.get(topic);
        return description == null ? null : description.partition(partition);
    }

    @Override
    public String toString() {
        return "ClusterImage[offset=" + offset + ", " + brokers.size() + " brokers, " + topicsById.size() + " topics]";
    }

    /** Copies an image once, applies changes in place, and freezes the result. Confined to one thread. */
    private static final class Builder {
        private final SortedMap<Integer, BrokerRegistration> brokers;
        private final Map<Uuid, TopicDescription> topicsById;
        private final SortedMap<String, TopicDescription> topicsByName;
        /** Topics changed so far, kept mutable until {@link #build}. */
        private final Map<Uuid, MutableTopic> touched = new HashMap<>();

        Builder(ClusterImage base) {
            brokers = new TreeMap<>(base.brokers);
            topicsById = new HashMap<>(base.topicsById);
            topicsByName = new TreeMap<>(base.topicsByName);
        }

        void apply(ClusterChange change) {
            if (change instanceof ClusterChange.BrokerChanged c) {
                brokers.put(c.broker().nodeId(), c.broker());
            } else if (change instanceof ClusterChange.TopicChanged c) {
                MutableTopic topic = touch(c.topicId());
                if (topic == null) {
                    topic = new MutableTopic(c.name(), c.configs(), new ArrayList<>());
                    touched.put(c.topicId(), topic);
                }
                topic.name = c.name();
                topic.configs = c.configs();
            } else if (change instanceof ClusterChange.TopicRemoved c) {
                touched.remove(c.topicId());
                TopicDescription removed = topicsById.remove(c.topicId());
                if (removed != null) {
                    topicsByName.remove(removed.name());
                }
            } else if (change instanceof ClusterChange.PartitionChanged c) {
                setPartition(c.partition());
            }
        }

        private void setPartition(PartitionState partition) {
            MutableTopic topic = touch(partition.topicId());
            if (topic == null) {
                throw new IllegalStateException("partition " + partition.partition() + " of unknown topic "
                    + partition.topicId());
            }
            if (partition.partition() < topic.partitions.size()) {
                topic.partitions.set(partition.partition(), partition);
            } else if (partition.partition() == topic.partitions.size()) {
                topic.partitions.add(partition);
            } else {
                throw new IllegalStateException("partition " + partition.partition() + " of topic " + topic.name
                    + " comes before partition " + topic.partitions.size());
            }
        }

        /** The mutable form of a topic, made on first change; null if the topic is unknown. */
        private MutableTopic touch(Uuid topicId) {
            MutableTopic topic = touched.get(topicId);
            if (topic == null) {
                TopicDescription existing = topicsById.get(topicId);
                if (existing != null) {
                    topic = new MutableTopic(existing.name(), existing.configs(),
                        new ArrayList<>(existing.partitions()));
                    touched.put(topicId, topic);
                }
            }
            return topic;
        }

        ClusterImage build(long offset) {
            touched.forEach((id, topic) -> {
                TopicDescription old = topicsById.get(id);
                if (old != null) {
                    topicsByName.remove(old.name());
                }
                TopicDescription frozen = new TopicDescription(id, topic.name, topic.configs, topic.partitions);
                topicsById.put(id, frozen);
                topicsByName.put(topic.name, frozen);
            });
            return new ClusterImage(offset, brokers, topicsById, topicsByName);
        }
    }

    private static final class MutableTopic {
        String name;
        Map<String, String> configs;
        final List<PartitionState> partitions;

        MutableTopic(String name, Map<String, String> configs, List<PartitionState> partitions) {
            this.name = name;
            this.configs = configs;
            this.partitions = partitions;
        }
    }
}
