package io.lakestream.controller.state;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamState;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of the tables in {@link Table}, over any {@link StateReader}. Confined like its reader. */
class MetadataView {
    protected final StateReader reader;

    MetadataView(StateReader reader) {
        this.reader = reader;
    }

    /** The stream, or a {@link MetadataError#STREAM_NOT_FOUND} refusal. */
    StreamState stream(long streamId) {
        StreamState stream = findStream(streamId);
        if (stream == null) {
            throw refuse(MetadataError.STREAM_NOT_FOUND, "no stream " + streamId);
        }
        return stream;
    }

    StreamState findStream(long streamId) {
        byte[] value = reader.get(Table.STREAMS, Keys.id(streamId));
        return value == null ? null : decode(value, ValueCodecs.STREAM_STATE);
    }

    ObjectRange findRange(long streamId, long startOffset) {
        byte[] value = reader.get(Table.STREAM_RANGES, Keys.streamOffset(streamId, startOffset));
        return value == null ? null : decode(value, ValueCodecs.OBJECT_RANGE);
    }

    /** The live ranges of a stream, in offset order. */
    List<ObjectRange> ranges(long streamId) {
        List<ObjectRange> ranges = new ArrayList<>();
        byte[] prefix = Keys.id(streamId);
        reader.scan(Table.STREAM_RANGES, prefix, prefix, (key, value) -> {
            ranges.add(decode(value, ValueCodecs.OBJECT_RANGE));
            return true;
        });
        return ranges;
    }

    StoredObject findObject(long objectId) {
        byte[] value = reader.get(Table.OBJECTS, Keys.id(objectId));
        return value == null ? null : StoredObject.fromBytes(value);
    }

    /** The expiry of a prepared, uncommitted object, or null. */
    Long preparedExpiry(long objectId) {
        byte[] value = reader.get(Table.PREPARED_OBJECTS, Keys.id(objectId));
        return value == null ? null : Keys.readInt64(value);
    }

    long counter(byte[] metaKey) {
        byte[] value = reader.get(Table.META, metaKey);
        return value == null ? 0 : Keys.readInt64(value);
    }

    static <T> T decode(byte[] value, io.lakestream.controller.codec.ValueCodec<T> codec) {
        ByteReader in = new ByteReader(value);
        T decoded = codec.read(in);
        in.expectEnd();
        return decoded;
    }

    static <T> byte[] encode(T value, io.lakestream.controller.codec.ValueCodec<T> codec) {
        ByteWriter out = new ByteWriter(64);
        codec.write(out, value);
        return out.toByteArray();
    }

    static StreamMetadataException refuse(MetadataError error, String message) {
        return new StreamMetadataException(error, message);
    }
}
