package io.lakestream.controller.state;

import static io.lakestream.controller.state.ClusterReads.refuse;

import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.TopicConfigValidation;
import io.lakestream.controller.cluster.TopicDescription;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Topics and their partitions: create (one stream per partition), delete (with the streams),
 * add partitions, alter config overrides. Every check runs before the first write. One
 * instance per command, confined to the applying thread.
 */
final class TopicCommands {
    /** A bound on one command's work: each partition is a stream and a row written in one apply. */
    static final int MAX_PARTITIONS = 100_000;

    private final MetadataTransaction tx;
    private final ClusterReads reads;
    private final StreamCommands streams;
    private final LeaderPlacement placement;
    private final ClusterDeltaLog deltas;
    private final TopicConfigValidation configs;

    TopicCommands(MetadataTransaction tx, ClusterReads reads, StreamCommands streams, LeaderPlacement placement,
                  ClusterDeltaLog deltas, TopicConfigValidation configs) {
        this.tx = tx;
        this.configs = configs;
        this.reads = reads;
        this.streams = streams;
        this.placement = placement;
        this.deltas = deltas;
    }

    TopicDescription create(String name, Uuid topicId, int numPartitions, short replicationFactor,
                            Map<String, String> configs) {
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            throw refuse(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId) || Uuid.METADATA_TOPIC_ID.equals(topicId)) {
            throw refuse(Errors.INVALID_REQUEST, "topic " + name + " needs a topic id, got " + topicId);
        }
        if (reads.findTopic(name) != null) {
            throw refuse(Errors.TOPIC_ALREADY_EXISTS, "topic " + name + " already exists");
        }
        StoredTopic sameId = reads.findTopic(topicId);
        if (sameId != null) {
            throw refuse(Errors.TOPIC_ALREADY_EXISTS, "topic id " + topicId + " is taken by topic " + sameId.name());
        }
        checkNoCollision(name);
        checkPartitionCount(name, numPartitions);
        if (replicationFactor != 1 && replicationFactor != -1) {
            throw refuse(Errors.INVALID_REPLICATION_FACTOR, "topic " + name + " asks for replication factor "
                + replicationFactor + ": storage is shared and durable in S3, so the replication factor must be 1"
                + " or -1 (the default)");
        }
        this.configs.validate(name, configs);

        StoredTopic topic = new StoredTopic(topicId, name, numPartitions, configs);
        putTopic(topic);
        tx.put(Table.TOPIC_NAMES, Keys.utf8(name), Keys.uuid(topicId));
        addPartitions(topicId, 0, numPartitions);
        return reads.describe(topic);
    }

    TopicDescription delete(String name, Uuid topicId) {
        StoredTopic topic = name != null ? reads.topic(name) : reads.findTopic(topicId);
        if (topic == null) {
            throw refuse(Errors.UNKNOWN_TOPIC_ID, "no topic with id " + topicId);
        }
        TopicDescription deleted = reads.describe(topic);
        for (PartitionState partition : deleted.partitions()) {
            streams.removeStream(partition.streamId());
            tx.delete(Table.PARTITIONS, Keys.topicPartition(topic.topicId(), partition.partition()));
        }
        tx.delete(Table.TOPICS, Keys.uuid(topic.topicId()));
        tx.delete(Table.TOPIC_NAMES, Keys.utf8(topic.name()));
        deltas.add(new ClusterChange.TopicRemoved(topic.topicId()));
        return deleted;
    }

    TopicDescription createPartitions(String name, int newTotal) {
        StoredTopic topic = reads.topic(name);
        if (newTotal <= topic.partitionCount()) {
            throw refuse(Errors.INVALID_PARTITIONS, "topic " + name + " has " + topic.partitionCount()
                + " partitions; the new total " + newTotal + " must be more");
        }
        checkPartitionCount(name, newTotal);
        StoredTopic grown = topic.withPartitionCount(newTotal);
        tx.put(Table.TOPICS, Keys.uuid(topic.topicId()), grown.toBytes());
        addPartitions(topic.topicId(), topic.partitionCount(), newTotal);
        return reads.describe(grown);
    }

    /** Applies {@code ops} to the overrides and validates the result; writes it unless {@code validateOnly}. */
    Map<String, String> alterConfigs(String name, List<ConfigOp> ops, boolean validateOnly) {
        StoredTopic topic = reads.topic(name);
        Map<String, String> merged = new TreeMap<>(topic.configs());
        for (ConfigOp op : ops) {
            if (op.type() == ConfigOp.Type.SET) {
                merged.put(op.key(), op.value());
            } else {
                // As Kafka: deleting an override that is not there, even of an unknown name, changes nothing.
                merged.remove(op.key());
            }
        }
        configs.validate(name, merged);
        Map<String, String> result = TopicDescription.sortedCopy(merged);
        if (!validateOnly && !result.equals(topic.configs())) {
            putTopic(topic.withConfigs(result));
        }
        return result;
    }

    private void addPartitions(Uuid topicId, int from, int to) {
        for (int p = from; p < to; p++) {
            long streamId = streams.createStream();
            placement.put(new PartitionState(topicId, p, streamId, placement.leaderForNewPartition(), 0));
        }
    }

    private void putTopic(StoredTopic topic) {
        tx.put(Table.TOPICS, Keys.uuid(topic.topicId()), topic.toBytes());
        deltas.add(new ClusterChange.TopicChanged(topic.topicId(), topic.name(), topic.configs()));
    }

    private static void checkPartitionCount(String name, int count) {
        if (count <= 0 || count > MAX_PARTITIONS) {
            throw refuse(Errors.INVALID_PARTITIONS, "topic " + name + " asks for " + count
                + " partitions; it must have 1 to " + MAX_PARTITIONS);
        }
    }

    /** Kafka refuses names that differ only in '.' versus '_': both become the same metric name. */
    private void checkNoCollision(String name) {
        if (!Topic.hasCollisionChars(name)) {
            return;
        }
        for (String existing : reads.topicNames()) {
            if (Topic.hasCollision(name, existing)) {
                throw refuse(Errors.INVALID_TOPIC_EXCEPTION, "topic " + name + " collides with existing topic "
                    + existing);
            }
        }
    }
}
