package io.lakestream.table.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Values as Confluent's serializers write them, for tests of the avro and protobuf formats. */
public final class ConfluentValues {
    private ConfluentValues() {}

    /** Magic byte 0, the schema id, the protobuf message indexes (none for Avro), the payload. */
    public static byte[] framed(int id, byte[] indexes, byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocate(5 + indexes.length + payload.length);
        buffer.put((byte) 0).putInt(id).put(indexes).put(payload);
        return buffer.array();
    }

    /** The Avro binary encoding of a record of {@code schemaText}; a map value is a nested record. */
    public static byte[] avro(String schemaText, Map<String, Object> fields) throws IOException {
        Schema schema = new Schema.Parser().parse(schemaText);
        GenericData.Record record = new GenericData.Record(schema);
        fields.forEach((name, value) -> {
            if (value instanceof Map<?, ?> nested) {
                GenericData.Record inner = new GenericData.Record(schema.getField(name).schema());
                nested.forEach((k, v) -> inner.put((String) k, v));
                record.put(name, inner);
            } else {
                record.put(name, value);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
