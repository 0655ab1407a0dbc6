package io.lakestream.table.convert;

import java.nio.ByteBuffer;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record as a table worker reads it from its partition.
 *
 * @param timestamp the record's timestamp in ms, or -1 if it has none
 * @param key the key bytes, or null
 * @param value the value bytes, or null (a tombstone)
 */
public record SourceRecord(int partition, long offset, long timestamp, ByteBuffer key, ByteBuffer value,
                           Header[] headers) {

    /** The value's bytes, or null. */
    public byte[] valueBytes() {
        return bytes(value);
    }

    public byte[] keyBytes() {
        return bytes(key);
    }

    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
