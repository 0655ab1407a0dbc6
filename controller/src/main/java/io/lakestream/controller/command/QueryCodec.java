package io.lakestream.controller.command;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.command.ControllerQuery.DescribeBrokers;
import io.lakestream.controller.command.ControllerQuery.DescribeCluster;
import io.lakestream.controller.command.ControllerQuery.DescribeStream;
import io.lakestream.controller.command.ControllerQuery.DescribeTopics;
import io.lakestream.controller.command.ControllerQuery.GetClusterDeltas;
import io.lakestream.controller.command.ControllerQuery.GetKv;
import io.lakestream.controller.command.ControllerQuery.GetObjects;
import io.lakestream.controller.command.ControllerQuery.GetObjectsToDestroy;
import io.lakestream.controller.command.ControllerQuery.GetStreamObjects;
import io.lakestream.controller.command.ControllerQuery.GetStreamSetObjects;
import io.lakestream.controller.command.ControllerQuery.OpenStreams;

/**
 * The binary form of a {@link ControllerQuery}: the payload of a read-only Raft request.
 *
 * <pre>
 * +--------+------+---------+-----------------------------------------------+
 * | offset | size | field   |                                               |
 * +--------+------+---------+-----------------------------------------------+
 * | 0      | 1    | version | {@value #VERSION}                              |
 * | 1      | 1    | type    | one of the *_TYPE constants below              |
 * | 2      | ...  | body    | per type, below                                |
 * +--------+------+---------+-----------------------------------------------+
 *
 * DESCRIBE_STREAM          int64 streamId
 * OPEN_STREAMS             int32 nodeId
 * GET_OBJECTS              int64 streamId, int64 startOffset, int64 endOffset, int32 limit
 * GET_STREAM_SET_OBJECTS   int32 nodeId
 * GET_STREAM_OBJECTS       int64 streamId
 * GET_OBJECTS_TO_DESTROY   (empty)
 * DESCRIBE_CLUSTER         (empty)
 * DESCRIBE_BROKERS         (empty)
 * DESCRIBE_TOPICS          list string names, list Uuid topicIds
 * GET_KV                   string key
 * GET_CLUSTER_DELTAS       int64 afterOffset, int32 maxRecords
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class QueryCodec {
    public static final byte VERSION = 0;

    public static final byte DESCRIBE_STREAM_TYPE = 1;
    public static final byte OPEN_STREAMS_TYPE = 2;
    public static final byte GET_OBJECTS_TYPE = 3;
    public static final byte GET_STREAM_SET_OBJECTS_TYPE = 4;
    public static final byte GET_STREAM_OBJECTS_TYPE = 5;
    public static final byte GET_OBJECTS_TO_DESTROY_TYPE = 6;
    public static final byte DESCRIBE_CLUSTER_TYPE = 7;
    public static final byte DESCRIBE_BROKERS_TYPE = 8;
    public static final byte DESCRIBE_TOPICS_TYPE = 9;
    public static final byte GET_KV_TYPE = 10;
    public static final byte GET_CLUSTER_DELTAS_TYPE = 11;

    private QueryCodec() {}

    public static byte[] encode(ControllerQuery<?> query) {
        ByteWriter writer = new ByteWriter(32).writeByte(VERSION);
        if (query instanceof DescribeStream q) {
            writer.writeByte(DESCRIBE_STREAM_TYPE).writeLong(q.streamId());
        } else if (query instanceof OpenStreams q) {
            writer.writeByte(OPEN_STREAMS_TYPE).writeInt(q.nodeId());
        } else if (query instanceof GetObjects q) {
            writer.writeByte(GET_OBJECTS_TYPE).writeLong(q.streamId()).writeLong(q.startOffset())
                .writeLong(q.endOffset()).writeInt(q.limit());
        } else if (query instanceof GetStreamSetObjects q) {
            writer.writeByte(GET_STREAM_SET_OBJECTS_TYPE).writeInt(q.nodeId());
        } else if (query instanceof GetStreamObjects q) {
            writer.writeByte(GET_STREAM_OBJECTS_TYPE).writeLong(q.streamId());
        } else if (query instanceof GetObjectsToDestroy) {
            writer.writeByte(GET_OBJECTS_TO_DESTROY_TYPE);
        } else if (query instanceof DescribeCluster) {
            writer.writeByte(DESCRIBE_CLUSTER_TYPE);
        } else if (query instanceof DescribeBrokers) {
            writer.writeByte(DESCRIBE_BROKERS_TYPE);
        } else if (query instanceof DescribeTopics q) {
            writer.writeByte(DESCRIBE_TOPICS_TYPE);
            ClusterCodecs.STRINGS.write(writer, q.names());
            ClusterCodecs.UUIDS.write(writer, q.topicIds());
        } else if (query instanceof GetKv q) {
            writer.writeByte(GET_KV_TYPE).writeString(q.key());
        } else if (query instanceof GetClusterDeltas q) {
            writer.writeByte(GET_CLUSTER_DELTAS_TYPE).writeLong(q.afterOffset()).writeInt(q.maxRecords())
                .writeInt(q.maxWaitMillis());
        } else {
            throw new IllegalArgumentException("no type for " + query);
        }
        return writer.toByteArray();
    }

    public static ControllerQuery<?> decode(byte[] encoded) {
        ByteReader reader = new ByteReader(encoded);
        byte version = reader.readByte();
        if (version != VERSION) {
            throw new MalformedDataException("query version " + version + " is not " + VERSION);
        }
        byte type = reader.readByte();
        ControllerQuery<?> query;
        switch (type) {
            case DESCRIBE_STREAM_TYPE:
                query = new DescribeStream(reader.readLong());
                break;
            case OPEN_STREAMS_TYPE:
                query = new OpenStreams(reader.readInt());
                break;
            case GET_OBJECTS_TYPE:
                query = new GetObjects(reader.readLong(), reader.readLong(), reader.readLong(), reader.readInt());
                break;
            case GET_STREAM_SET_OBJECTS_TYPE:
                query = new GetStreamSetObjects(reader.readInt());
                break;
            case GET_STREAM_OBJECTS_TYPE:
                query = new GetStreamObjects(reader.readLong());
                break;
            case GET_OBJECTS_TO_DESTROY_TYPE:
                query = new GetObjectsToDestroy();
                break;
            case DESCRIBE_CLUSTER_TYPE:
                query = new DescribeCluster();
                break;
            case DESCRIBE_BROKERS_TYPE:
                query = new DescribeBrokers();
                break;
            case DESCRIBE_TOPICS_TYPE:
                query = new DescribeTopics(ClusterCodecs.STRINGS.read(reader), ClusterCodecs.UUIDS.read(reader));
                break;
            case GET_KV_TYPE:
                query = new GetKv(reader.readString());
                break;
            case GET_CLUSTER_DELTAS_TYPE:
                query = clusterDeltas(reader.readLong(), reader.readInt(), reader.readInt());
                break;
            default:
                throw new MalformedDataException("unknown query type " + type);
        }
        reader.expectEnd();
        return query;
    }

    private static GetClusterDeltas clusterDeltas(long afterOffset, int maxRecords, int maxWaitMillis) {
        if (maxWaitMillis < 0) {
            throw new MalformedDataException("negative wait " + maxWaitMillis + " for cluster deltas");
        }
        return new GetClusterDeltas(afterOffset, maxRecords, maxWaitMillis);
    }
}
