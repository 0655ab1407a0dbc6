package io.lakestream.controller.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Uuid;

/** Builds and reads the big-endian keys described in {@link Table}. Stateless. */
final class Keys {
    private Keys() {}

    static byte[] id(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static long readId(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }

    static byte[] streamOffset(long streamId, long offset) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(streamId).putLong(offset).array();
    }

    static byte[] node(int nodeId) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(nodeId).array();
    }

    static byte[] nodeOrderObject(int nodeId, long orderId, long objectId) {
        return ByteBuffer.allocate(Integer.BYTES + 2 * Long.BYTES).putInt(nodeId).putLong(orderId).putLong(objectId)
            .array();
    }

    static long objectOfNodeOrderObject(byte[] key) {
        return ByteBuffer.wrap(key).getLong(Integer.BYTES + Long.BYTES);
    }

    static byte[] nodeStream(int nodeId, long streamId) {
        return ByteBuffer.allocate(Integer.BYTES + Long.BYTES).putInt(nodeId).putLong(streamId).array();
    }

    static long streamOfNodeStream(byte[] key) {
        return ByteBuffer.wrap(key).getLong(Integer.BYTES);
    }

    static byte[] int64(long value) {
        return id(value);
    }

    static long readInt64(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    static byte[] uuid(Uuid id) {
        return ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
            .array();
    }

    static Uuid readUuid(byte[] key) {
        ByteBuffer buffer = ByteBuffer.wrap(key);
        return new Uuid(buffer.getLong(), buffer.getLong());
    }

    static byte[] topicPartition(Uuid topicId, int partition) {
        return ByteBuffer.allocate(16 + Integer.BYTES).putLong(topicId.getMostSignificantBits())
            .putLong(topicId.getLeastSignificantBits()).putInt(partition).array();
    }

    static int partitionOfTopicPartition(byte[] key) {
        return ByteBuffer.wrap(key).getInt(16);
    }

    static int readNode(byte[] key) {
        return ByteBuffer.wrap(key).getInt();
    }

    static byte[] utf8(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
