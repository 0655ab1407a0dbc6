package io.lakestream.table.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Schemaless JSON values (lakestream.table.format=json): each value is a JSON object whose
 * fields become columns, the schema inferred and widened as records arrive
 * ({@link JsonSchemaMerger}). A null value (a tombstone) becomes a row with only the Kafka
 * columns. Not thread-safe: one per partition worker.
 */
public final class JsonRecordConverter implements RecordConverter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonSchemaMerger merger = new JsonSchemaMerger();

    @Override
    public Schema initialSchema() {
        return new Schema(KafkaColumns.FIELDS);
    }

    @Override
    public Analysis analyze(List<SourceRecord> records, Types.StructType current) {
        return RecordConverter.analyzeEach(records, current, this::parse);
    }

    private Step parse(SourceRecord record, Types.StructType needed) throws IncompatibleRecordException {
        JsonNode value;
        try {
            value = record.value() == null ? null : JSON.readTree(record.valueBytes());
        } catch (JsonProcessingException e) {
            throw new IncompatibleRecordException("The value is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IncompatibleRecordException("The value is not JSON: " + e.getMessage());
        }
        return new Step(value, merger.mergeRow(needed, value));
    }

    @Override
    public Record toRow(Parsed parsed, Schema schema) {
        Record row = GenericRecord.create(schema);
        KafkaColumns.fill(row, parsed.source());
        JsonNode value = (JsonNode) parsed.value();
        if (value != null) {
            fillStruct(row, schema.asStruct(), value);
        }
        return row;
    }

    private static void fillStruct(Record row, Types.StructType type, JsonNode object) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Types.NestedField field = type.field(entry.getKey());
            if (field == null) {
                throw new IllegalStateException("The schema has no column " + entry.getKey()
                    + " although the record was analyzed against one that had");
            }
            row.setField(field.name(), convert(field.type(), entry.getValue()));
        }
    }

    /** The Iceberg value of a JSON value that {@link JsonSchemaMerger} found to fit {@code type}. */
    private static Object convert(Type type, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        switch (type.typeId()) {
            case BOOLEAN:
                return value.booleanValue();
            case STRING:
                return value.textValue();
            case INTEGER:
                return value.intValue();
            case LONG:
                return value.longValue();
            case FLOAT:
                return value.floatValue();
            case DOUBLE:
                return value.doubleValue();
            case STRUCT: {
                Record struct = GenericRecord.create(type.asStructType());
                fillStruct(struct, type.asStructType(), value);
                return struct;
            }
            case LIST: {
                Type element = type.asListType().elementType();
                List<Object> list = new ArrayList<>(value.size());
                for (JsonNode item : value) {
                    list.add(convert(element, item));
                }
                return list;
            }
            default:
                throw new IllegalStateException("No JSON conversion to " + type);
        }
    }
}
