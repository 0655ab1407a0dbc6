package io.lakestream.controller.state;

import java.nio.charset.StandardCharsets;

/**
 * The RocksDB column families of the controller state, one per entity. Keys are big-endian
 * so that RocksDB's byte order is numeric order for the non-negative ids and offsets.
 *
 * <pre>
 * +-------------------------+---------------------------------------+---------------------------------+
 * | column family           | key                                   | value                           |
 * +-------------------------+---------------------------------------+---------------------------------+
 * | meta                    | utf8 name ({@link MetaKeys})          | per name                        |
 * | streams                 | int64 streamId                        | StreamState                     |
 * | stream_ranges           | int64 streamId, int64 startOffset     | ObjectRange (the live range)    |
 * | objects                 | int64 objectId                        | {@link StoredObject}            |
 * | prepared_objects        | int64 objectId                        | int64 expiresAtMillis           |
 * | garbage_objects         | int64 objectId                        | int64 unreferencedSinceMillis   |
 * | node_stream_set_objects | int32 nodeId, int64 orderId,          | (empty): a node's stream-set    |
 * |                         | int64 objectId                        | objects in upload order         |
 * | node_open_streams       | int32 nodeId, int64 streamId          | (empty): streams open on a node |
 * | brokers                 | int32 nodeId                          | {@link StoredBroker}            |
 * | topics                  | Uuid topicId (16 bytes)               | {@link StoredTopic}             |
 * | topic_names             | utf8 name                             | Uuid topicId                    |
 * | partitions              | Uuid topicId, int32 partition         | int64 streamId, int32 leader,   |
 * |                         |                                       | int32 leaderEpoch               |
 * | kv                      | utf8 key                              | the value's bytes               |
 * | cluster_deltas          | int64 metadata offset                 | list ClusterChange: what the    |
 * |                         |                                       | command at that offset changed  |
 * +-------------------------+---------------------------------------+---------------------------------+
 * </pre>
 *
 * Value layouts are in {@link io.lakestream.controller.codec.ValueCodecs},
 * {@link io.lakestream.controller.codec.ClusterCodecs}, {@link StoredObject},
 * {@link StoredBroker} and {@link StoredTopic}. New tables go at the end: a store opened by
 * an older version gets them created empty.
 */
public enum Table {
    META("meta"),
    STREAMS("streams"),
    STREAM_RANGES("stream_ranges"),
    OBJECTS("objects"),
    PREPARED_OBJECTS("prepared_objects"),
    GARBAGE_OBJECTS("garbage_objects"),
    NODE_STREAM_SET_OBJECTS("node_stream_set_objects"),
    NODE_OPEN_STREAMS("node_open_streams"),
    BROKERS("brokers"),
    TOPICS("topics"),
    TOPIC_NAMES("topic_names"),
    PARTITIONS("partitions"),
    KV("kv"),
    CLUSTER_DELTAS("cluster_deltas");

    private final String columnFamilyName;

    Table(String columnFamilyName) {
        this.columnFamilyName = columnFamilyName;
    }

    public byte[] columnFamilyName() {
        return columnFamilyName.getBytes(StandardCharsets.UTF_8);
    }
}
