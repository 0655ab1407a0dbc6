package io.lakestream.controller.state;

import java.nio.charset.StandardCharsets;

/**
 * Keys of the {@link Table#META} column family.
 *
 * <pre>
 * cluster_id      string (int32 length + UTF-8), written once when the store is created
 * applied         int64 term, int64 index: the last Raft entry applied (the metadata offset)
 * next_stream_id  int64
 * next_object_id  int64
 * next_producer_id                int64: the first id of the next producer id block
 * cluster_delta_count             int64: records in the cluster_deltas table
 * cluster_deltas_trimmed_through  int64: the offset of the newest delta trimmed (0: none)
 * </pre>
 */
final class MetaKeys {
    static final byte[] CLUSTER_ID = bytes("cluster_id");
    static final byte[] APPLIED = bytes("applied");
    static final byte[] NEXT_STREAM_ID = bytes("next_stream_id");
    static final byte[] NEXT_OBJECT_ID = bytes("next_object_id");
    static final byte[] NEXT_PRODUCER_ID = bytes("next_producer_id");
    static final byte[] CLUSTER_DELTA_COUNT = bytes("cluster_delta_count");
    static final byte[] CLUSTER_DELTAS_TRIMMED_THROUGH = bytes("cluster_deltas_trimmed_through");

    private MetaKeys() {}

    private static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
