package io.lakestream.table.convert;

import io.lakestream.table.registry.RegisteredSchema;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.registry.SchemaType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Avro values in Confluent's wire format (lakestream.table.format=avro): the registered schema,
 * which must be a record, maps to columns with Iceberg's {@link AvroSchemaUtil} (nullable unions
 * become optional columns, enums strings, logical types dates, times, timestamps, decimals and
 * uuids); values are decoded with Avro's {@link GenericDatumReader} and their fields set by name.
 * Unions of several non-null types are not converted (the schema fails). Not thread-safe: one
 * per partition worker.
 */
public final class AvroRecordConverter extends RegistryRecordConverter {
    /** Reused for every value this worker decodes. */
    private BinaryDecoder decoder;

    public AvroRecordConverter(SchemaLookup schemas) {
        super(schemas, SchemaType.AVRO);
    }

    @Override
    ConfluentWireFormat.Frame frame(SourceRecord record) throws IncompatibleRecordException {
        return ConfluentWireFormat.avro(record.value());
    }

    @Override
    ValueSchema load(RegisteredSchema registered, ConfluentWireFormat.Frame frame) throws IncompatibleRecordException {
        Schema avro = new Schema.Parser().parse(registered.schema());
        if (avro.getType() != Schema.Type.RECORD) {
            throw new IncompatibleRecordException("Schema " + registered.id() + " is an Avro " + avro.getType()
                + ", not a record, so it has no columns");
        }
        Types.StructType columns;
        try {
            columns = asColumns(AvroSchemaUtil.toIceberg(avro).asStruct());
        } catch (RuntimeException e) {
            throw new IncompatibleRecordException("Schema " + registered.id() + " has no Iceberg equivalent: "
                + e.getMessage());
        }
        GenericDatumReader<Object> reader = new GenericDatumReader<>(avro);
        return new ValueSchema(columns, payload -> {
            decoder = DecoderFactory.get().binaryDecoder(payload, decoder);
            return reader.read(null, decoder);
        }, (row, type, value) -> fillStruct(row, type, avro, (org.apache.avro.generic.GenericRecord) value));
    }

    private static void fillStruct(Record row, Types.StructType type, Schema avro,
                                   org.apache.avro.generic.GenericRecord value) {
        for (Schema.Field field : avro.getFields()) {
            Types.NestedField column = type.field(field.name());
            if (column != null) {
                row.setField(column.name(), convert(column.type(), field.schema(), value.get(field.pos())));
            }
        }
    }

    /** The Iceberg value (generic data model) of an Avro value for a column of {@code type}. */
    private static Object convert(Type type, Schema avro, Object value) {
        if (value == null) {
            return null;
        }
        Schema schema = avro.getType() == Schema.Type.UNION
            ? avro.getTypes().get(GenericData.get().resolveUnion(avro, value)) : avro;
        LogicalType logical = schema.getLogicalType();
        switch (type.typeId()) {
            case STRUCT: {
                Record struct = GenericRecord.create(type.asStructType());
                fillStruct(struct, type.asStructType(), schema, (org.apache.avro.generic.GenericRecord) value);
                return struct;
            }
            case LIST: {
                List<Object> list = new ArrayList<>();
                for (Object item : (Collection<?>) value) {
                    list.add(convert(type.asListType().elementType(), schema.getElementType(), item));
                }
                return list;
            }
            case MAP: {
                Map<Object, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((key, item) ->
                    map.put(key.toString(), convert(type.asMapType().valueType(), schema.getValueType(), item)));
                return map;
            }
            case STRING:
                return value.toString();
            case BOOLEAN:
                return value;
            case INTEGER:
                return ((Number) value).intValue();
            case LONG:
                return ((Number) value).longValue();
            case FLOAT:
                return ((Number) value).floatValue();
            case DOUBLE:
                return ((Number) value).doubleValue();
            case BINARY:
                return ByteBuffer.wrap(bytes(value));
            case FIXED:
                return bytes(value);
            case DATE:
                return LocalDate.ofEpochDay(((Number) value).intValue());
            case TIME: {
                long raw = ((Number) value).longValue();
                return LocalTime.ofNanoOfDay(logical instanceof LogicalTypes.TimeMillis ? raw * 1_000_000 : raw * 1_000);
            }
            case TIMESTAMP: {
                long raw = ((Number) value).longValue();
                boolean millis = logical instanceof LogicalTypes.TimestampMillis
                    || logical instanceof LogicalTypes.LocalTimestampMillis;
                Instant instant = millis ? Instant.ofEpochMilli(raw)
                    : Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000), Math.floorMod(raw, 1_000_000) * 1_000L);
                return ((Types.TimestampType) type).shouldAdjustToUTC() ? instant.atOffset(ZoneOffset.UTC)
                    : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
            }
            case DECIMAL:
                return new BigDecimal(new BigInteger(bytes(value)), ((Types.DecimalType) type).scale());
            case UUID:
                return value instanceof GenericFixed fixed ? uuid(fixed.bytes()) : UUID.fromString(value.toString());
            default:
                throw new AvroRuntimeException("No conversion of Avro " + schema + " to " + type);
        }
    }

    private static byte[] bytes(Object value) {
        if (value instanceof GenericFixed fixed) {
            return fixed.bytes();
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static UUID uuid(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new UUID(buffer.getLong(), buffer.getLong());
    }
}
