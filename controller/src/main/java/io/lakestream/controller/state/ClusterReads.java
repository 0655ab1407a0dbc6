package io.lakestream.controller.state;

import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicDescription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/** Typed reads of the cluster tables (brokers, topics, partitions) over any {@link StateReader}. Confined like its reader. */
final class ClusterReads {
    private static final byte[] ALL = new byte[0];

    private final StateReader reader;

    ClusterReads(StateReader reader) {
        this.reader = reader;
    }

    StoredBroker findBroker(int nodeId) {
        byte[] value = reader.get(Table.BROKERS, Keys.node(nodeId));
        return value == null ? null : StoredBroker.fromBytes(value);
    }

    /** Every broker in node id order. */
    List<StoredBroker> brokers() {
        List<StoredBroker> brokers = new ArrayList<>();
        reader.scan(Table.BROKERS, ALL, ALL, (key, value) -> brokers.add(StoredBroker.fromBytes(value)));
        return brokers;
    }

    StoredTopic findTopic(Uuid topicId) {
        byte[] value = reader.get(Table.TOPICS, Keys.uuid(topicId));
        return value == null ? null : StoredTopic.fromBytes(topicId, value);
    }

    StoredTopic findTopic(String name) {
        byte[] id = reader.get(Table.TOPIC_NAMES, Keys.utf8(name));
        return id == null ? null : findTopic(Keys.readUuid(id));
    }

    /** The topic, or an {@link Errors#UNKNOWN_TOPIC_OR_PARTITION} refusal. */
    StoredTopic topic(String name) {
        StoredTopic topic = findTopic(name);
        if (topic == null) {
            throw refuse(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + name);
        }
        return topic;
    }

    /** Topic names in name order. */
    List<String> topicNames() {
        List<String> names = new ArrayList<>();
        reader.scan(Table.TOPIC_NAMES, ALL, ALL, (key, value) -> names.add(new String(key, StandardCharsets.UTF_8)));
        return names;
    }

    /** A topic's partitions in partition order. */
    List<PartitionState> partitions(Uuid topicId) {
        List<PartitionState> partitions = new ArrayList<>();
        byte[] prefix = Keys.uuid(topicId);
        reader.scan(Table.PARTITIONS, prefix, prefix, (key, value) -> partitions.add(partitionOf(key, value)));
        return partitions;
    }

    /** Every partition of every topic, in (topic id, partition) order. */
    List<PartitionState> allPartitions() {
        List<PartitionState> partitions = new ArrayList<>();
        reader.scan(Table.PARTITIONS, ALL, ALL, (key, value) -> partitions.add(partitionOf(key, value)));
        return partitions;
    }

    TopicDescription describe(StoredTopic topic) {
        return new TopicDescription(topic.topicId(), topic.name(), topic.configs(), partitions(topic.topicId()));
    }

    static byte[] partitionValue(PartitionState partition) {
        return ByteBuffer.allocate(Long.BYTES + 2 * Integer.BYTES).putLong(partition.streamId())
            .putInt(partition.leader()).putInt(partition.leaderEpoch()).array();
    }

    private static PartitionState partitionOf(byte[] key, byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new PartitionState(Keys.readUuid(key), Keys.partitionOfTopicPartition(key), buffer.getLong(),
            buffer.getInt(), buffer.getInt());
    }

    static ClusterMetadataException refuse(Errors error, String message) {
        return new ClusterMetadataException(error, message);
    }
}
