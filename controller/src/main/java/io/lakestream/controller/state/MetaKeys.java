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
 * </pre>
 */
final class MetaKeys {
    static final byte[] CLUSTER_ID = bytes("cluster_id");
    static final byte[] APPLIED = bytes("applied");
    static final byte[] NEXT_STREAM_ID = bytes("next_stream_id");
    static final byte[] NEXT_OBJECT_ID = bytes("next_object_id");

    private MetaKeys() {}

    private static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
