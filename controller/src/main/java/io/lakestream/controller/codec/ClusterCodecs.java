package io.lakestream.controller.codec;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.ClusterSnapshot;
import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.ProducerIdBlock;
import io.lakestream.controller.cluster.TopicDescription;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Layouts of the cluster metadata values (brokers, topics, partitions, deltas) in commands,
 * replies and the state. Integers are big-endian; a list is an int32 count and its elements;
 * a string is an int32 length and UTF-8; "nullable X" is an int8 0 (null) or 1 followed by X.
 *
 * <pre>
 * Uuid (16 bytes)             int64 mostSignificantBits, int64 leastSignificantBits
 * string map                  int32 count, then (string key, string value) in key order
 * BrokerListener              string name, string host, int32 port
 * BrokerRegistration          int32 nodeId, Uuid incarnationId, int64 brokerEpoch,
 *                             list BrokerListener, nullable string rack, int8 fenced,
 *                             int8 inControlledShutdown
 * PartitionState (36 bytes)   Uuid topicId, int32 partition, int64 streamId, int32 leader,
 *                             int32 leaderEpoch
 * TopicDescription            Uuid topicId, string name, string map configs, list PartitionState
 * HeartbeatResult (2 bytes)   int8 fenced, int8 shouldShutDown
 * ProducerIdBlock (12 bytes)  int64 firstId, int32 size
 * ConfigOp                    int8 type (0 SET, 1 DELETE), string key, nullable string value
 * ClusterChange               int8 kind, then
 *                               1 BrokerChanged     BrokerRegistration
 *                               2 TopicChanged      Uuid topicId, string name, string map configs
 *                               3 TopicRemoved      Uuid topicId
 *                               4 PartitionChanged  PartitionState
 * ClusterDelta                int64 offset, list ClusterChange
 * ClusterSnapshot             int64 offset, list BrokerRegistration, list TopicDescription
 * ClusterDeltas               nullable ClusterSnapshot, list ClusterDelta
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class ClusterCodecs {
    public static final int UUID_SIZE = 16;
    public static final int PARTITION_STATE_SIZE = 36;

    private static final byte BROKER_CHANGED = 1;
    private static final byte TOPIC_CHANGED = 2;
    private static final byte TOPIC_REMOVED = 3;
    private static final byte PARTITION_CHANGED = 4;

    private ClusterCodecs() {}

    public static final ValueCodec<Uuid> UUID = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, Uuid value) {
            writer.writeLong(value.getMostSignificantBits()).writeLong(value.getLeastSignificantBits());
        }

        @Override
        public Uuid read(ByteReader reader) {
            return new Uuid(reader.readLong(), reader.readLong());
        }
    };

    public static final ValueCodec<String> STRING = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, String value) {
            writer.writeString(value);
        }

        @Override
        public String read(ByteReader reader) {
            return reader.readString();
        }
    };

    public static final ValueCodec<Integer> INT = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, Integer value) {
            writer.writeInt(value);
        }

        @Override
        public Integer read(ByteReader reader) {
            return reader.readInt();
        }
    };

    /** Bytes that may be absent: int32 length, -1 for null. */
    public static final ValueCodec<byte[]> NULLABLE_BYTES = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, byte[] value) {
            if (value == null) {
                writer.writeInt(-1);
            } else {
                writer.writeBytes(value);
            }
        }

        @Override
        public byte[] read(ByteReader reader) {
            int length = reader.readInt();
            return length == -1 ? null : reader.readBytes(length);
        }
    };

    public static final ValueCodec<Map<String, String>> STRING_MAP = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, Map<String, String> map) {
            writer.writeInt(map.size());
            new TreeMap<>(map).forEach((key, value) -> writer.writeString(key).writeString(value));
        }

        @Override
        public Map<String, String> read(ByteReader reader) {
            int count = reader.readCount(2 * Integer.BYTES);
            Map<String, String> map = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                map.put(reader.readString(), reader.readString());
            }
            return TopicDescription.sortedCopy(map);
        }
    };

    public static final ValueCodec<BrokerListener> BROKER_LISTENER = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, BrokerListener listener) {
            writer.writeString(listener.name()).writeString(listener.host()).writeInt(listener.port());
        }

        @Override
        public BrokerListener read(ByteReader reader) {
            return new BrokerListener(reader.readString(), reader.readString(), reader.readInt());
        }
    };

    public static final ValueCodec<List<BrokerListener>> BROKER_LISTENERS =
        ValueCodecs.listOf(BROKER_LISTENER, 3 * Integer.BYTES);

    public static final ValueCodec<BrokerRegistration> BROKER_REGISTRATION = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, BrokerRegistration broker) {
            writer.writeInt(broker.nodeId());
            UUID.write(writer, broker.incarnationId());
            writer.writeLong(broker.brokerEpoch());
            BROKER_LISTENERS.write(writer, broker.listeners());
            writeNullableString(writer, broker.rack());
            writer.writeBoolean(broker.fenced()).writeBoolean(broker.inControlledShutdown());
        }

        @Override
        public BrokerRegistration read(ByteReader reader) {
            return new BrokerRegistration(reader.readInt(), UUID.read(reader), reader.readLong(),
                BROKER_LISTENERS.read(reader), readNullableString(reader), reader.readBoolean(),
                reader.readBoolean());
        }
    };

    public static final ValueCodec<List<BrokerRegistration>> BROKER_REGISTRATIONS =
        ValueCodecs.listOf(BROKER_REGISTRATION, 40);

    public static final ValueCodec<PartitionState> PARTITION_STATE = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, PartitionState p) {
            UUID.write(writer, p.topicId());
            writer.writeInt(p.partition()).writeLong(p.streamId()).writeInt(p.leader()).writeInt(p.leaderEpoch());
        }

        @Override
        public PartitionState read(ByteReader reader) {
            return new PartitionState(UUID.read(reader), reader.readInt(), reader.readLong(), reader.readInt(),
                reader.readInt());
        }
    };

    public static final ValueCodec<TopicDescription> TOPIC_DESCRIPTION = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, TopicDescription topic) {
            UUID.write(writer, topic.topicId());
            writer.writeString(topic.name());
            STRING_MAP.write(writer, topic.configs());
            ValueCodecs.writeList(writer, topic.partitions(), PARTITION_STATE);
        }

        @Override
        public TopicDescription read(ByteReader reader) {
            return new TopicDescription(UUID.read(reader), reader.readString(), STRING_MAP.read(reader),
                ValueCodecs.readList(reader, PARTITION_STATE, PARTITION_STATE_SIZE));
        }
    };

    public static final ValueCodec<List<TopicDescription>> TOPIC_DESCRIPTIONS =
        ValueCodecs.listOf(TOPIC_DESCRIPTION, UUID_SIZE + 3 * Integer.BYTES);

    public static final ValueCodec<HeartbeatResult> HEARTBEAT_RESULT = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, HeartbeatResult result) {
            writer.writeBoolean(result.fenced()).writeBoolean(result.shouldShutDown());
        }

        @Override
        public HeartbeatResult read(ByteReader reader) {
            return new HeartbeatResult(reader.readBoolean(), reader.readBoolean());
        }
    };

    public static final ValueCodec<ProducerIdBlock> PRODUCER_ID_BLOCK = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ProducerIdBlock block) {
            writer.writeLong(block.firstId()).writeInt(block.size());
        }

        @Override
        public ProducerIdBlock read(ByteReader reader) {
            return new ProducerIdBlock(reader.readLong(), reader.readInt());
        }
    };

    public static final ValueCodec<ConfigOp> CONFIG_OP = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ConfigOp op) {
            writer.writeByte(op.type() == ConfigOp.Type.SET ? 0 : 1).writeString(op.key());
            writeNullableString(writer, op.value());
        }

        @Override
        public ConfigOp read(ByteReader reader) {
            byte type = reader.readByte();
            if (type != 0 && type != 1) {
                throw new MalformedDataException("unknown config op type " + type);
            }
            String key = reader.readString();
            String value = readNullableString(reader);
            if (type == 0 && value == null) {
                throw new MalformedDataException("SET of " + key + " without a value");
            }
            return new ConfigOp(type == 0 ? ConfigOp.Type.SET : ConfigOp.Type.DELETE, key, value);
        }
    };

    public static final ValueCodec<List<ConfigOp>> CONFIG_OPS = ValueCodecs.listOf(CONFIG_OP, 6);
    public static final ValueCodec<List<Integer>> INTS = ValueCodecs.listOf(INT, Integer.BYTES);
    public static final ValueCodec<List<String>> STRINGS = ValueCodecs.listOf(STRING, Integer.BYTES);
    public static final ValueCodec<List<Uuid>> UUIDS = ValueCodecs.listOf(UUID, UUID_SIZE);

    public static final ValueCodec<ClusterChange> CLUSTER_CHANGE = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ClusterChange change) {
            if (change instanceof ClusterChange.BrokerChanged c) {
                writer.writeByte(BROKER_CHANGED);
                BROKER_REGISTRATION.write(writer, c.broker());
            } else if (change instanceof ClusterChange.TopicChanged c) {
                writer.writeByte(TOPIC_CHANGED);
                UUID.write(writer, c.topicId());
                writer.writeString(c.name());
                STRING_MAP.write(writer, c.configs());
            } else if (change instanceof ClusterChange.TopicRemoved c) {
                writer.writeByte(TOPIC_REMOVED);
                UUID.write(writer, c.topicId());
            } else if (change instanceof ClusterChange.PartitionChanged c) {
                writer.writeByte(PARTITION_CHANGED);
                PARTITION_STATE.write(writer, c.partition());
            } else {
                throw new IllegalArgumentException("no kind for " + change);
            }
        }

        @Override
        public ClusterChange read(ByteReader reader) {
            byte kind = reader.readByte();
            switch (kind) {
                case BROKER_CHANGED:
                    return new ClusterChange.BrokerChanged(BROKER_REGISTRATION.read(reader));
                case TOPIC_CHANGED:
                    return new ClusterChange.TopicChanged(UUID.read(reader), reader.readString(),
                        STRING_MAP.read(reader));
                case TOPIC_REMOVED:
                    return new ClusterChange.TopicRemoved(UUID.read(reader));
                case PARTITION_CHANGED:
                    return new ClusterChange.PartitionChanged(PARTITION_STATE.read(reader));
                default:
                    throw new MalformedDataException("unknown cluster change kind " + kind);
            }
        }
    };

    public static final ValueCodec<List<ClusterChange>> CLUSTER_CHANGES = ValueCodecs.listOf(CLUSTER_CHANGE, 1);

    public static final ValueCodec<ClusterDelta> CLUSTER_DELTA = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ClusterDelta delta) {
            writer.writeLong(delta.offset());
            CLUSTER_CHANGES.write(writer, delta.changes());
        }

        @Override
        public ClusterDelta read(ByteReader reader) {
            return new ClusterDelta(reader.readLong(), CLUSTER_CHANGES.read(reader));
        }
    };

    public static final ValueCodec<ClusterSnapshot> CLUSTER_SNAPSHOT = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ClusterSnapshot snapshot) {
            writer.writeLong(snapshot.offset());
            BROKER_REGISTRATIONS.write(writer, snapshot.brokers());
            TOPIC_DESCRIPTIONS.write(writer, snapshot.topics());
        }

        @Override
        public ClusterSnapshot read(ByteReader reader) {
            return new ClusterSnapshot(reader.readLong(), BROKER_REGISTRATIONS.read(reader),
                TOPIC_DESCRIPTIONS.read(reader));
        }
    };

    public static final ValueCodec<ClusterDeltas> CLUSTER_DELTAS = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ClusterDeltas deltas) {
            writer.writeBoolean(deltas.snapshot() != null);
            if (deltas.snapshot() != null) {
                CLUSTER_SNAPSHOT.write(writer, deltas.snapshot());
            }
            ValueCodecs.writeList(writer, deltas.deltas(), CLUSTER_DELTA);
        }

        @Override
        public ClusterDeltas read(ByteReader reader) {
            ClusterSnapshot snapshot = reader.readBoolean() ? CLUSTER_SNAPSHOT.read(reader) : null;
            return new ClusterDeltas(snapshot, ValueCodecs.readList(reader, CLUSTER_DELTA, Long.BYTES + 4));
        }
    };

    public static void writeNullableString(ByteWriter writer, String value) {
        writer.writeBoolean(value != null);
        if (value != null) {
            writer.writeString(value);
        }
    }

    public static String readNullableString(ByteReader reader) {
        return reader.readBoolean() ? reader.readString() : null;
    }

    public static void writeNullableUuid(ByteWriter writer, Uuid value) {
        writer.writeBoolean(value != null);
        if (value != null) {
            UUID.write(writer, value);
        }
    }

    public static Uuid readNullableUuid(ByteReader reader) {
        return reader.readBoolean() ? UUID.read(reader) : null;
    }
}
