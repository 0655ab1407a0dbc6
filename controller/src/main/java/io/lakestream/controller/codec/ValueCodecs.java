package io.lakestream.controller.codec;

import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import java.util.ArrayList;
import java.util.List;

/**
 * Layouts of the metadata values that travel in commands and replies. All integers are
 * big-endian; a list is an int32 count followed by its elements.
 *
 * <pre>
 * StreamOffsetRange (32 bytes)       StreamState (37 bytes)
 * +----------+-------------+         +----------+-------------+
 * | int64    | streamId    |         | int64    | streamId    |
 * | int64    | epoch       |         | int64    | epoch       |
 * | int64    | startOffset |         | int64    | startOffset |
 * | int64    | endOffset   |         | int64    | endOffset   |
 * +----------+-------------+         | int8     | open (0/1)  |
 *                                    | int32    | nodeId      |
 * StreamObject (48 bytes)            +----------+-------------+
 * +----------+-------------------+
 * | int64    | objectId          |   ObjectRange (41 bytes)
 * | int64    | objectSize        |   +----------+-------------+
 * | 32 bytes | StreamOffsetRange |   | int64    | objectId    |
 * +----------+-------------------+   | int8     | type        |
 *                                    | int64    | objectSize  |
 * ObjectMetadata                     | int64    | streamId    |
 * +----------+-------------------+   | int64    | startOffset |
 * | int64    | objectId          |   | int64    | endOffset   |
 * | int8     | type              |   +----------+-------------+
 * | int64    | objectSize        |
 * | int32    | nodeId            |   ObjectType: 0 = STREAM_SET, 1 = STREAM
 * | int64    | committedAtMillis |
 * | list     | StreamOffsetRange |
 * +----------+-------------------+
 * </pre>
 */
public final class ValueCodecs {
    public static final int STREAM_OFFSET_RANGE_SIZE = 32;
    public static final int STREAM_STATE_SIZE = 37;
    public static final int STREAM_OBJECT_SIZE = 48;
    public static final int OBJECT_RANGE_SIZE = 41;
    /** ObjectMetadata without its ranges, plus the int32 count of its ranges. */
    public static final int OBJECT_METADATA_MIN_SIZE = 33;

    public static final byte STREAM_SET_TYPE = 0;
    public static final byte STREAM_TYPE = 1;

    public static final ValueCodec<Void> VOID = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, Void value) {
        }

        @Override
        public Void read(ByteReader reader) {
            return null;
        }
    };

    public static final ValueCodec<Long> LONG = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, Long value) {
            writer.writeLong(value);
        }

        @Override
        public Long read(ByteReader reader) {
            return reader.readLong();
        }
    };

    public static final ValueCodec<StreamOffsetRange> STREAM_OFFSET_RANGE = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, StreamOffsetRange range) {
            writer.writeLong(range.streamId()).writeLong(range.epoch()).writeLong(range.startOffset())
                .writeLong(range.endOffset());
        }

        @Override
        public StreamOffsetRange read(ByteReader reader) {
            long streamId = reader.readLong();
            long epoch = reader.readLong();
            long start = reader.readLong();
            long end = reader.readLong();
            if (end <= start) {
                throw new MalformedDataException("empty range [" + start + ", " + end + ") of stream " + streamId);
            }
            return new StreamOffsetRange(streamId, epoch, start, end);
        }
    };

    public static final ValueCodec<StreamObject> STREAM_OBJECT = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, StreamObject object) {
            writer.writeLong(object.objectId()).writeLong(object.objectSize());
            STREAM_OFFSET_RANGE.write(writer, object.range());
        }

        @Override
        public StreamObject read(ByteReader reader) {
            long objectId = reader.readLong();
            long size = reader.readLong();
            return new StreamObject(objectId, size, STREAM_OFFSET_RANGE.read(reader));
        }
    };

    public static final ValueCodec<StreamState> STREAM_STATE = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, StreamState state) {
            writer.writeLong(state.streamId()).writeLong(state.epoch()).writeLong(state.startOffset())
                .writeLong(state.endOffset()).writeBoolean(state.open()).writeInt(state.nodeId());
        }

        @Override
        public StreamState read(ByteReader reader) {
            return new StreamState(reader.readLong(), reader.readLong(), reader.readLong(), reader.readLong(),
                reader.readBoolean(), reader.readInt());
        }
    };

    public static final ValueCodec<ObjectRange> OBJECT_RANGE = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ObjectRange range) {
            writer.writeLong(range.objectId());
            writeType(writer, range.type());
            writer.writeLong(range.objectSize()).writeLong(range.streamId()).writeLong(range.startOffset())
                .writeLong(range.endOffset());
        }

        @Override
        public ObjectRange read(ByteReader reader) {
            return new ObjectRange(reader.readLong(), readType(reader), reader.readLong(), reader.readLong(),
                reader.readLong(), reader.readLong());
        }
    };

    public static final ValueCodec<ObjectMetadata> OBJECT_METADATA = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ObjectMetadata object) {
            writer.writeLong(object.objectId());
            writeType(writer, object.type());
            writer.writeLong(object.objectSize()).writeInt(object.nodeId()).writeLong(object.committedAtMillis());
            writeList(writer, object.ranges(), STREAM_OFFSET_RANGE);
        }

        @Override
        public ObjectMetadata read(ByteReader reader) {
            long objectId = reader.readLong();
            ObjectType type = readType(reader);
            long size = reader.readLong();
            int nodeId = reader.readInt();
            long committedAt = reader.readLong();
            List<StreamOffsetRange> ranges = readList(reader, STREAM_OFFSET_RANGE, STREAM_OFFSET_RANGE_SIZE);
            return new ObjectMetadata(objectId, type, size, nodeId, ranges, committedAt);
        }
    };

    public static final ValueCodec<List<Long>> LONGS = listOf(LONG, Long.BYTES);
    public static final ValueCodec<List<StreamState>> STREAM_STATES = listOf(STREAM_STATE, STREAM_STATE_SIZE);
    public static final ValueCodec<List<ObjectRange>> OBJECT_RANGES = listOf(OBJECT_RANGE, OBJECT_RANGE_SIZE);
    public static final ValueCodec<List<ObjectMetadata>> OBJECT_METADATAS =
        listOf(OBJECT_METADATA, OBJECT_METADATA_MIN_SIZE);
    public static final ValueCodec<List<StreamOffsetRange>> STREAM_OFFSET_RANGES =
        listOf(STREAM_OFFSET_RANGE, STREAM_OFFSET_RANGE_SIZE);
    public static final ValueCodec<List<StreamObject>> STREAM_OBJECTS = listOf(STREAM_OBJECT, STREAM_OBJECT_SIZE);

    private ValueCodecs() {}

    public static <T> ValueCodec<List<T>> listOf(ValueCodec<T> element, int minElementBytes) {
        return new ValueCodec<>() {
            @Override
            public void write(ByteWriter writer, List<T> values) {
                writeList(writer, values, element);
            }

            @Override
            public List<T> read(ByteReader reader) {
                return readList(reader, element, minElementBytes);
            }
        };
    }

    public static <T> void writeList(ByteWriter writer, List<T> values, ValueCodec<T> element) {
        writer.writeInt(values.size());
        for (T value : values) {
            element.write(writer, value);
        }
    }

    public static <T> List<T> readList(ByteReader reader, ValueCodec<T> element, int minElementBytes) {
        int count = reader.readCount(minElementBytes);
        List<T> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(element.read(reader));
        }
        return List.copyOf(values);
    }

    public static void writeType(ByteWriter writer, ObjectType type) {
        writer.writeByte(type == ObjectType.STREAM_SET ? STREAM_SET_TYPE : STREAM_TYPE);
    }

    public static ObjectType readType(ByteReader reader) {
        byte code = reader.readByte();
        switch (code) {
            case STREAM_SET_TYPE:
                return ObjectType.STREAM_SET;
            case STREAM_TYPE:
                return ObjectType.STREAM;
            default:
                throw new MalformedDataException("unknown object type " + code);
        }
    }
}
