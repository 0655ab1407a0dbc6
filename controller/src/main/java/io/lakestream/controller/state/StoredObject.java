package io.lakestream.controller.state;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.ObjectMetadata;

/**
 * A committed object as stored in {@link Table#OBJECTS}.
 *
 * <pre>
 * +----------------+----------------+--------------------------------------------------+
 * | ObjectMetadata | (variable)     | as in ValueCodecs                                |
 * | int64          | orderId        | keeps compacted stream-set objects in the order  |
 * |                |                | of the uploads they replace                      |
 * | int32          | liveRangeCount | ranges still referenced by a stream; at 0 the    |
 * |                |                | object becomes garbage                           |
 * +----------------+----------------+--------------------------------------------------+
 * </pre>
 */
record StoredObject(ObjectMetadata metadata, long orderId, int liveRangeCount) {

    long objectId() {
        return metadata.objectId();
    }

    StoredObject withLiveRangeCount(int count) {
        return new StoredObject(metadata, orderId, count);
    }

    byte[] toBytes() {
        ByteWriter writer = new ByteWriter(128);
        ValueCodecs.OBJECT_METADATA.write(writer, metadata);
        return writer.writeLong(orderId).writeInt(liveRangeCount).toByteArray();
    }

    static StoredObject fromBytes(byte[] bytes) {
        ByteReader reader = new ByteReader(bytes);
        StoredObject object = new StoredObject(ValueCodecs.OBJECT_METADATA.read(reader), reader.readLong(),
            reader.readInt());
        reader.expectEnd();
        return object;
    }
}
