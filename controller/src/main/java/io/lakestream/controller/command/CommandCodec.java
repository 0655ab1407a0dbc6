package io.lakestream.controller.command;

import static io.lakestream.controller.codec.ValueCodecs.LONGS;
import static io.lakestream.controller.codec.ValueCodecs.STREAM_OBJECT;
import static io.lakestream.controller.codec.ValueCodecs.STREAM_OBJECTS;
import static io.lakestream.controller.codec.ValueCodecs.STREAM_OFFSET_RANGES;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.command.ControllerCommand.AllocateProducerIds;
import io.lakestream.controller.command.ControllerCommand.AlterTopicConfigs;
import io.lakestream.controller.command.ControllerCommand.BrokerHeartbeat;
import io.lakestream.controller.command.ControllerCommand.CloseStream;
import io.lakestream.controller.command.ControllerCommand.CommitStreamObject;
import io.lakestream.controller.command.ControllerCommand.CommitStreamSetObject;
import io.lakestream.controller.command.ControllerCommand.CreatePartitions;
import io.lakestream.controller.command.ControllerCommand.CreateStream;
import io.lakestream.controller.command.ControllerCommand.CreateTopic;
import io.lakestream.controller.command.ControllerCommand.DeleteKv;
import io.lakestream.controller.command.ControllerCommand.DeleteStream;
import io.lakestream.controller.command.ControllerCommand.DeleteTopic;
import io.lakestream.controller.command.ControllerCommand.FenceExpiredBrokers;
import io.lakestream.controller.command.ControllerCommand.MarkObjectsDestroyed;
import io.lakestream.controller.command.ControllerCommand.OpenStream;
import io.lakestream.controller.command.ControllerCommand.PrepareObjects;
import io.lakestream.controller.command.ControllerCommand.PutKv;
import io.lakestream.controller.command.ControllerCommand.PutKvIfAbsent;
import io.lakestream.controller.command.ControllerCommand.RegisterBroker;
import io.lakestream.controller.command.ControllerCommand.TrimStream;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import java.nio.ByteBuffer;
import org.apache.kafka.common.Uuid;

/**
 * The binary form of a {@link ControllerCommand}: the payload of one Raft log entry.
 *
 * <pre>
 * +--------+------+-----------------+--------------------------------------------------+
 * | offset | size | field           |                                                  |
 * +--------+------+-----------------+--------------------------------------------------+
 * | 0      | 1    | version         | {@value #VERSION}; readers refuse other versions  |
 * | 1      | 1    | type            | one of the *_TYPE constants below                 |
 * | 2      | 8    | timestampMillis | the leader's clock, stamped when it appends the   |
 * |        |      |                 | entry; {@value #UNSTAMPED} until then             |
 * | 10     | ...  | body            | per type, below                                   |
 * +--------+------+-----------------+--------------------------------------------------+
 *
 * CREATE_STREAM            (empty)
 * OPEN_STREAM              int64 streamId, int32 nodeId
 * CLOSE_STREAM             int64 streamId, int64 epoch
 * TRIM_STREAM              int64 streamId, int64 epoch, int64 newStartOffset
 * DELETE_STREAM            int64 streamId, int64 epoch
 * PREPARE_OBJECTS          int32 count, int64 ttlMillis
 * COMMIT_STREAM_SET_OBJECT int64 objectId, int32 nodeId, int64 objectSize,
 *                          list StreamOffsetRange ranges, list StreamObject streamObjects,
 *                          list int64 compactedObjectIds
 * COMMIT_STREAM_OBJECT     StreamObject object, list int64 sourceObjectIds
 * MARK_OBJECTS_DESTROYED   list int64 objectIds
 * REGISTER_BROKER          int32 nodeId, Uuid incarnationId, list BrokerListener,
 *                          nullable string rack
 * BROKER_HEARTBEAT         int32 nodeId, int64 brokerEpoch, int8 wantShutDown
 * FENCE_EXPIRED_BROKERS    int64 sessionTimeoutMillis
 * CREATE_TOPIC             string name, Uuid topicId, int32 numPartitions,
 *                          int16 replicationFactor, string map configs
 * DELETE_TOPIC             nullable string name, nullable Uuid topicId
 * CREATE_PARTITIONS        string topic, int32 newTotal
 * ALTER_TOPIC_CONFIGS      string topic, list ConfigOp, int8 validateOnly
 * ALLOCATE_PRODUCER_IDS    int32 nodeId, int64 brokerEpoch
 * PUT_KV                   string key, int32 length + bytes value
 * DELETE_KV                string key
 * PUT_KV_IF_ABSENT         string key, int32 length + bytes value
 * </pre>
 *
 * Value layouts are in {@link io.lakestream.controller.codec.ValueCodecs} and
 * {@link ClusterCodecs}. A new field is
 * added by bumping the version and reading both. Stateless and thread-safe.
 */
public final class CommandCodec {
    public static final byte VERSION = 0;
    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int TIMESTAMP_OFFSET = 2;
    public static final int BODY_OFFSET = 10;
    public static final long UNSTAMPED = -1;

    public static final byte CREATE_STREAM_TYPE = 1;
    public static final byte OPEN_STREAM_TYPE = 2;
    public static final byte CLOSE_STREAM_TYPE = 3;
    public static final byte TRIM_STREAM_TYPE = 4;
    public static final byte DELETE_STREAM_TYPE = 5;
    public static final byte PREPARE_OBJECTS_TYPE = 6;
    public static final byte COMMIT_STREAM_SET_OBJECT_TYPE = 7;
    public static final byte COMMIT_STREAM_OBJECT_TYPE = 8;
    public static final byte MARK_OBJECTS_DESTROYED_TYPE = 9;
    public static final byte REGISTER_BROKER_TYPE = 10;
    public static final byte BROKER_HEARTBEAT_TYPE = 11;
    public static final byte FENCE_EXPIRED_BROKERS_TYPE = 12;
    public static final byte CREATE_TOPIC_TYPE = 13;
    public static final byte DELETE_TOPIC_TYPE = 14;
    public static final byte CREATE_PARTITIONS_TYPE = 15;
    public static final byte ALTER_TOPIC_CONFIGS_TYPE = 16;
    public static final byte ALLOCATE_PRODUCER_IDS_TYPE = 17;
    public static final byte PUT_KV_TYPE = 18;
    public static final byte DELETE_KV_TYPE = 19;
    public static final byte PUT_KV_IF_ABSENT_TYPE = 20;

    private CommandCodec() {}

    /** A decoded log entry: the command and the time the leader stamped on it. */
    public record StampedCommand(long timestampMillis, ControllerCommand<?> command) {}

    /** Encodes {@code command} with an {@link #UNSTAMPED} timestamp. */
    public static byte[] encode(ControllerCommand<?> command) {
        ByteWriter writer = new ByteWriter();
        writer.writeByte(VERSION).writeByte(typeOf(command)).writeLong(UNSTAMPED);
        writeBody(writer, command);
        return writer.toByteArray();
    }

    /** A copy of an encoded command carrying {@code timestampMillis}. */
    public static byte[] stamp(byte[] encoded, long timestampMillis) {
        checkHeader(encoded);
        byte[] stamped = encoded.clone();
        ByteBuffer.wrap(stamped).putLong(TIMESTAMP_OFFSET, timestampMillis);
        return stamped;
    }

    public static StampedCommand decode(byte[] encoded) {
        checkHeader(encoded);
        ByteReader reader = new ByteReader(encoded);
        reader.readByte();
        byte type = reader.readByte();
        long timestamp = reader.readLong();
        ControllerCommand<?> command = readBody(type, reader);
        reader.expectEnd();
        return new StampedCommand(timestamp, command);
    }

    private static void checkHeader(byte[] encoded) {
        if (encoded.length < BODY_OFFSET) {
            throw new MalformedDataException("command of " + encoded.length + " bytes is shorter than its header");
        }
        if (encoded[VERSION_OFFSET] != VERSION) {
            throw new MalformedDataException("command version " + encoded[VERSION_OFFSET] + " is not " + VERSION);
        }
    }

    private static byte typeOf(ControllerCommand<?> command) {
        if (command instanceof CreateStream) {
            return CREATE_STREAM_TYPE;
        } else if (command instanceof OpenStream) {
            return OPEN_STREAM_TYPE;
        } else if (command instanceof CloseStream) {
            return CLOSE_STREAM_TYPE;
        } else if (command instanceof TrimStream) {
            return TRIM_STREAM_TYPE;
        } else if (command instanceof DeleteStream) {
            return DELETE_STREAM_TYPE;
        } else if (command instanceof PrepareObjects) {
            return PREPARE_OBJECTS_TYPE;
        } else if (command instanceof CommitStreamSetObject) {
            return COMMIT_STREAM_SET_OBJECT_TYPE;
        } else if (command instanceof CommitStreamObject) {
            return COMMIT_STREAM_OBJECT_TYPE;
        } else if (command instanceof MarkObjectsDestroyed) {
            return MARK_OBJECTS_DESTROYED_TYPE;
        } else if (command instanceof RegisterBroker) {
            return REGISTER_BROKER_TYPE;
        } else if (command instanceof BrokerHeartbeat) {
            return BROKER_HEARTBEAT_TYPE;
        } else if (command instanceof FenceExpiredBrokers) {
            return FENCE_EXPIRED_BROKERS_TYPE;
        } else if (command instanceof CreateTopic) {
            return CREATE_TOPIC_TYPE;
        } else if (command instanceof DeleteTopic) {
            return DELETE_TOPIC_TYPE;
        } else if (command instanceof CreatePartitions) {
            return CREATE_PARTITIONS_TYPE;
        } else if (command instanceof AlterTopicConfigs) {
            return ALTER_TOPIC_CONFIGS_TYPE;
        } else if (command instanceof AllocateProducerIds) {
            return ALLOCATE_PRODUCER_IDS_TYPE;
        } else if (command instanceof PutKv) {
            return PUT_KV_TYPE;
        } else if (command instanceof DeleteKv) {
            return DELETE_KV_TYPE;
        } else if (command instanceof PutKvIfAbsent) {
            return PUT_KV_IF_ABSENT_TYPE;
        }
        throw new IllegalArgumentException("no type for " + command);
    }

    private static void writeBody(ByteWriter writer, ControllerCommand<?> command) {
        if (command instanceof OpenStream c) {
            writer.writeLong(c.streamId()).writeInt(c.nodeId());
        } else if (command instanceof CloseStream c) {
            writer.writeLong(c.streamId()).writeLong(c.epoch());
        } else if (command instanceof TrimStream c) {
            writer.writeLong(c.streamId()).writeLong(c.epoch()).writeLong(c.newStartOffset());
        } else if (command instanceof DeleteStream c) {
            writer.writeLong(c.streamId()).writeLong(c.epoch());
        } else if (command instanceof PrepareObjects c) {
            writer.writeInt(c.count()).writeLong(c.ttlMillis());
        } else if (command instanceof CommitStreamSetObject c) {
            CommitStreamSetObjectRequest r = c.request();
            writer.writeLong(r.objectId()).writeInt(r.nodeId()).writeLong(r.objectSize());
            STREAM_OFFSET_RANGES.write(writer, r.ranges());
            STREAM_OBJECTS.write(writer, r.streamObjects());
            LONGS.write(writer, r.compactedObjectIds());
        } else if (command instanceof CommitStreamObject c) {
            STREAM_OBJECT.write(writer, c.request().object());
            LONGS.write(writer, c.request().sourceObjectIds());
        } else if (command instanceof MarkObjectsDestroyed c) {
            LONGS.write(writer, c.objectIds());
        } else {
            writeClusterBody(writer, command);
        }
    }

    private static void writeClusterBody(ByteWriter writer, ControllerCommand<?> command) {
        if (command instanceof RegisterBroker c) {
            writer.writeInt(c.nodeId());
            ClusterCodecs.UUID.write(writer, c.incarnationId());
            ClusterCodecs.BROKER_LISTENERS.write(writer, c.listeners());
            ClusterCodecs.writeNullableString(writer, c.rack());
        } else if (command instanceof BrokerHeartbeat c) {
            writer.writeInt(c.nodeId()).writeLong(c.brokerEpoch()).writeBoolean(c.wantShutDown());
        } else if (command instanceof FenceExpiredBrokers c) {
            writer.writeLong(c.sessionTimeoutMillis());
        } else if (command instanceof CreateTopic c) {
            writer.writeString(c.name());
            ClusterCodecs.UUID.write(writer, c.topicId());
            writer.writeInt(c.numPartitions()).writeShort(c.replicationFactor());
            ClusterCodecs.STRING_MAP.write(writer, c.configs());
        } else if (command instanceof DeleteTopic c) {
            ClusterCodecs.writeNullableString(writer, c.name());
            ClusterCodecs.writeNullableUuid(writer, c.topicId());
        } else if (command instanceof CreatePartitions c) {
            writer.writeString(c.topic()).writeInt(c.newTotal());
        } else if (command instanceof AlterTopicConfigs c) {
            writer.writeString(c.topic());
            ClusterCodecs.CONFIG_OPS.write(writer, c.ops());
            writer.writeBoolean(c.validateOnly());
        } else if (command instanceof AllocateProducerIds c) {
            writer.writeInt(c.nodeId()).writeLong(c.brokerEpoch());
        } else if (command instanceof PutKv c) {
            writer.writeString(c.key()).writeBytes(c.value());
        } else if (command instanceof DeleteKv c) {
            writer.writeString(c.key());
        } else if (command instanceof PutKvIfAbsent c) {
            writer.writeString(c.key()).writeBytes(c.value());
        }
    }

    private static ControllerCommand<?> readBody(byte type, ByteReader reader) {
        switch (type) {
            case CREATE_STREAM_TYPE:
                return new CreateStream();
            case OPEN_STREAM_TYPE:
                return new OpenStream(reader.readLong(), reader.readInt());
            case CLOSE_STREAM_TYPE:
                return new CloseStream(reader.readLong(), reader.readLong());
            case TRIM_STREAM_TYPE:
                return new TrimStream(reader.readLong(), reader.readLong(), reader.readLong());
            case DELETE_STREAM_TYPE:
                return new DeleteStream(reader.readLong(), reader.readLong());
            case PREPARE_OBJECTS_TYPE:
                return new PrepareObjects(reader.readInt(), reader.readLong());
            case COMMIT_STREAM_SET_OBJECT_TYPE:
                return new CommitStreamSetObject(new CommitStreamSetObjectRequest(reader.readLong(), reader.readInt(),
                    reader.readLong(), STREAM_OFFSET_RANGES.read(reader), STREAM_OBJECTS.read(reader),
                    LONGS.read(reader)));
            case COMMIT_STREAM_OBJECT_TYPE:
                return new CommitStreamObject(new CommitStreamObjectRequest(STREAM_OBJECT.read(reader),
                    LONGS.read(reader)));
            case MARK_OBJECTS_DESTROYED_TYPE:
                return new MarkObjectsDestroyed(LONGS.read(reader));
            default:
                return readClusterBody(type, reader);
        }
    }

    private static ControllerCommand<?> readClusterBody(byte type, ByteReader reader) {
        switch (type) {
            case REGISTER_BROKER_TYPE:
                return new RegisterBroker(reader.readInt(), ClusterCodecs.UUID.read(reader),
                    ClusterCodecs.BROKER_LISTENERS.read(reader), ClusterCodecs.readNullableString(reader));
            case BROKER_HEARTBEAT_TYPE:
                return new BrokerHeartbeat(reader.readInt(), reader.readLong(), reader.readBoolean());
            case FENCE_EXPIRED_BROKERS_TYPE:
                return new FenceExpiredBrokers(reader.readLong());
            case CREATE_TOPIC_TYPE:
                return new CreateTopic(reader.readString(), ClusterCodecs.UUID.read(reader), reader.readInt(),
                    reader.readShort(), ClusterCodecs.STRING_MAP.read(reader));
            case DELETE_TOPIC_TYPE:
                return readDeleteTopic(reader);
            case CREATE_PARTITIONS_TYPE:
                return new CreatePartitions(reader.readString(), reader.readInt());
            case ALTER_TOPIC_CONFIGS_TYPE:
                return new AlterTopicConfigs(reader.readString(), ClusterCodecs.CONFIG_OPS.read(reader),
                    reader.readBoolean());
            case ALLOCATE_PRODUCER_IDS_TYPE:
                return new AllocateProducerIds(reader.readInt(), reader.readLong());
            case PUT_KV_TYPE:
                return new PutKv(reader.readString(), reader.readBytes());
            case DELETE_KV_TYPE:
                return new DeleteKv(reader.readString());
            case PUT_KV_IF_ABSENT_TYPE:
                return new PutKvIfAbsent(reader.readString(), reader.readBytes());
            default:
                throw new MalformedDataException("unknown command type " + type);
        }
    }

    private static DeleteTopic readDeleteTopic(ByteReader reader) {
        String name = ClusterCodecs.readNullableString(reader);
        Uuid topicId = ClusterCodecs.readNullableUuid(reader);
        if ((name == null) == (topicId == null)) {
            throw new MalformedDataException("DELETE_TOPIC needs exactly one of name and id");
        }
        return new DeleteTopic(name, topicId);
    }
}
