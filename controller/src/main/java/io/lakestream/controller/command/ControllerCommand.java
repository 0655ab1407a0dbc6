package io.lakestream.controller.command;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.ProducerIdBlock;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A change to the controller's state: one Raft log entry. Applying a command is a pure
 * function of the state, the command and the time the leader stamped on it
 * ({@link CommandCodec#stamp}); {@code R} is what the caller gets back.
 */
public sealed interface ControllerCommand<R> {

    /** How the result travels back to the caller. */
    ValueCodec<R> resultCodec();

    record CreateStream() implements ControllerCommand<Long> {
        @Override
        public ValueCodec<Long> resultCodec() {
            return ValueCodecs.LONG;
        }
    }

    record OpenStream(long streamId, int nodeId) implements ControllerCommand<StreamState> {
        @Override
        public ValueCodec<StreamState> resultCodec() {
            return ValueCodecs.STREAM_STATE;
        }
    }

    record CloseStream(long streamId, long epoch) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record TrimStream(long streamId, long epoch, long newStartOffset) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record DeleteStream(long streamId, long epoch) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    /** Reserves {@code count} object ids that expire {@code ttlMillis} after the command's time. */
    record PrepareObjects(int count, long ttlMillis) implements ControllerCommand<Long> {
        @Override
        public ValueCodec<Long> resultCodec() {
            return ValueCodecs.LONG;
        }
    }

    record CommitStreamSetObject(CommitStreamSetObjectRequest request) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record CommitStreamObject(CommitStreamObjectRequest request) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record MarkObjectsDestroyed(List<Long> objectIds) implements ControllerCommand<Void> {
        public MarkObjectsDestroyed {
            objectIds = List.copyOf(objectIds);
        }

        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    /**
     * Registers a broker process; the result is its broker epoch. The same incarnation again
     * gets the same epoch; a new incarnation (a restart) gets a new one.
     *
     * @param rack null for none
     */
    record RegisterBroker(int nodeId, Uuid incarnationId, List<BrokerListener> listeners, String rack)
        implements ControllerCommand<Long> {
        public RegisterBroker {
            listeners = List.copyOf(listeners);
        }

        @Override
        public ValueCodec<Long> resultCodec() {
            return ValueCodecs.LONG;
        }
    }

    /** Keeps a broker's session alive; {@code wantShutDown} starts its controlled shutdown. */
    record BrokerHeartbeat(int nodeId, long brokerEpoch, boolean wantShutDown)
        implements ControllerCommand<HeartbeatResult> {
        @Override
        public ValueCodec<HeartbeatResult> resultCodec() {
            return ClusterCodecs.HEARTBEAT_RESULT;
        }
    }

    /**
     * Fences every broker whose last heartbeat is {@code sessionTimeoutMillis} or more before
     * this command's stamped time; the result is their node ids. The leader appends it on a
     * timer, so fencing is decided by the log, the same on every replica.
     */
    record FenceExpiredBrokers(long sessionTimeoutMillis) implements ControllerCommand<List<Integer>> {
        @Override
        public ValueCodec<List<Integer>> resultCodec() {
            return ClusterCodecs.INTS;
        }
    }

    /**
     * Creates a topic with one stream per partition. The caller chooses {@code topicId}
     * ({@link Uuid#randomUuid()}), so applying the command stays deterministic.
     *
     * @param replicationFactor 1 or -1 (the default): replication comes from shared storage
     */
    record CreateTopic(String name, Uuid topicId, int numPartitions, short replicationFactor,
                       Map<String, String> configs) implements ControllerCommand<TopicDescription> {
        public CreateTopic {
            configs.forEach((key, value) -> {
                if (value == null) {
                    throw new IllegalArgumentException("config " + key + " of topic " + name + " has no value");
                }
            });
            configs = TopicDescription.sortedCopy(configs);
        }

        @Override
        public ValueCodec<TopicDescription> resultCodec() {
            return ClusterCodecs.TOPIC_DESCRIPTION;
        }
    }

    /** Deletes a topic, named by {@code name} or by {@code topicId} (the other null); the result is what was deleted. */
    record DeleteTopic(String name, Uuid topicId) implements ControllerCommand<TopicDescription> {
        public DeleteTopic {
            if ((name == null) == (topicId == null)) {
                throw new IllegalArgumentException("delete a topic by name or by id, not both or neither");
            }
        }

        public static DeleteTopic byName(String name) {
            return new DeleteTopic(name, null);
        }

        public static DeleteTopic byId(Uuid topicId) {
            return new DeleteTopic(null, topicId);
        }

        @Override
        public ValueCodec<TopicDescription> resultCodec() {
            return ClusterCodecs.TOPIC_DESCRIPTION;
        }
    }

    /** Grows a topic to {@code newTotal} partitions. */
    record CreatePartitions(String topic, int newTotal) implements ControllerCommand<TopicDescription> {
        @Override
        public ValueCodec<TopicDescription> resultCodec() {
            return ClusterCodecs.TOPIC_DESCRIPTION;
        }
    }

    /**
     * Sets and deletes a topic's config overrides, validated as a whole after the change; the
     * result is the overrides after it. {@code validateOnly} changes nothing.
     */
    record AlterTopicConfigs(String topic, List<ConfigOp> ops, boolean validateOnly)
        implements ControllerCommand<Map<String, String>> {
        public AlterTopicConfigs {
            ops = List.copyOf(ops);
        }

        @Override
        public ValueCodec<Map<String, String>> resultCodec() {
            return ClusterCodecs.STRING_MAP;
        }
    }

    /** A block of {@link ProducerIdBlock#SIZE} producer ids for a registered, unfenced broker. */
    record AllocateProducerIds(int nodeId, long brokerEpoch) implements ControllerCommand<ProducerIdBlock> {
        @Override
        public ValueCodec<ProducerIdBlock> resultCodec() {
            return ClusterCodecs.PRODUCER_ID_BLOCK;
        }
    }

    /** Sets a key of the small replicated key-value store. */
    record PutKv(String key, byte[] value) implements ControllerCommand<Void> {
        public PutKv {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PutKv other && key.equals(other.key) && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, Arrays.hashCode(value));
        }

        @Override
        public String toString() {
            return "PutKv[key=" + key + ", " + value.length + " bytes]";
        }
    }

    /**
     * Sets a key of the key-value store unless it has a value already: a compare-and-set for
     * writers on several brokers that claim slots of a log kept in the store (the schema
     * registry). The result is the value the key holds afterwards, so a writer (or a retry of
     * its own command) sees whether its value won.
     */
    record PutKvIfAbsent(String key, byte[] value) implements ControllerCommand<byte[]> {
        public PutKvIfAbsent {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public ValueCodec<byte[]> resultCodec() {
            return ClusterCodecs.NULLABLE_BYTES;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PutKvIfAbsent other && key.equals(other.key) && Arrays.equals(value, other.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, Arrays.hashCode(value));
        }

        @Override
        public String toString() {
            return "PutKvIfAbsent[key=" + key + ", " + value.length + " bytes]";
        }
    }

    /** Removes a key of the key-value store; removing an absent key is not an error. */
    record DeleteKv(String key) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }
}
