package io.lakestream.table.convert;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lakestream.table.registry.RegisteredSchema;
import io.lakestream.table.registry.RegistryException;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.registry.SchemaType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * Values in Confluent's wire format whose schemas are in the schema registry (the avro and
 * protobuf formats): each value's schema id (and message type) is resolved once and cached;
 * the schema's fields become columns ({@link ColumnTypeMerger}), so a newer schema that adds
 * fields adds columns. A value whose frame, id or bytes are bad fails (dead-letter table or a
 * stopped partition); a registry that cannot be reached fails the worker, which retries.
 *
 * <p>Not thread-safe: one per partition worker.
 */
abstract class RegistryRecordConverter implements RecordConverter {
    private static final int CACHED_SCHEMAS = 1_000;

    private final SchemaLookup schemas;
    private final SchemaType type;
    private final Cache<String, ValueSchema> cache = Caffeine.newBuilder().maximumSize(CACHED_SCHEMAS).build();
    /** Placeholder ids for new columns; the table gives them real ones when the change is committed. */
    private final AtomicInteger nextId = new AtomicInteger(1_000_000);

    RegistryRecordConverter(SchemaLookup schemas, SchemaType type) {
        this.schemas = schemas;
        this.type = type;
    }

    /**
     * How the values of one schema (one message type, for protobuf) decode and become row fields.
     *
     * @param columns the columns of the schema: optional fields with placeholder ids
     * @param decoder the decoded value of a payload; throws what the decoder throws for bad bytes
     * @param filler sets the fields of a row (of the given type) from a decoded value
     */
    record ValueSchema(Types.StructType columns, Decoder decoder, Filler filler) {}

    @FunctionalInterface
    interface Decoder {
        Object decode(byte[] payload) throws Exception;
    }

    @FunctionalInterface
    interface Filler {
        void fill(Record row, Types.StructType type, Object value);
    }

    /** A decoded value and its schema. */
    private record Decoded(ValueSchema schema, Object value) {}

    /** The frame of a value in this format. */
    abstract ConfluentWireFormat.Frame frame(SourceRecord record) throws IncompatibleRecordException;

    /** The value schema of {@code frame} within the registered {@code schema}. */
    abstract ValueSchema load(RegisteredSchema schema, ConfluentWireFormat.Frame frame)
        throws IncompatibleRecordException;

    @Override
    public Schema initialSchema() {
        return new Schema(KafkaColumns.FIELDS);
    }

    @Override
    public Analysis analyze(List<SourceRecord> records, Types.StructType current) {
        return RecordConverter.analyzeEach(records, current, this::parse);
    }

    private Step parse(SourceRecord record, Types.StructType needed) throws IncompatibleRecordException {
        if (record.value() == null) {
            return new Step(null, needed);
        }
        ConfluentWireFormat.Frame frame = frame(record);
        ValueSchema schema = schemaOf(frame);
        Object value;
        try {
            value = schema.decoder().decode(SourceRecord.bytes(frame.payload()));
        } catch (Exception e) {
            throw new IncompatibleRecordException("The value does not decode with schema " + frame.schemaId()
                + ": " + e);
        }
        return new Step(new Decoded(schema, value), ColumnTypeMerger.merge(needed, schema.columns()));
    }

    @Override
    public Record toRow(Parsed parsed, Schema schema) {
        Record row = GenericRecord.create(schema);
        KafkaColumns.fill(row, parsed.source());
        if (parsed.value() instanceof Decoded decoded) {
            decoded.schema().filler().fill(row, schema.asStruct(), decoded.value());
        }
        return row;
    }

    private ValueSchema schemaOf(ConfluentWireFormat.Frame frame) throws IncompatibleRecordException {
        String key = frame.schemaId() + "/" + frame.messageIndexes();
        ValueSchema cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        RegisteredSchema registered;
        try {
            registered = schemas.byId(frame.schemaId());
        } catch (RegistryException e) {
            // Not the record's fault: the worker fails and retries, the record is not sent to the dead letters.
            throw new IllegalStateException("The schema registry cannot be read: " + e.getMessage(), e);
        }
        if (registered == null) {
            throw new IncompatibleRecordException("Schema id " + frame.schemaId() + " is not in the schema registry");
        }
        if (registered.type() != type) {
            throw new IncompatibleRecordException("Schema id " + frame.schemaId() + " is a " + registered.type()
                + " schema, and the table's format is " + type.name().toLowerCase(java.util.Locale.ROOT));
        }
        ValueSchema loaded = load(registered, frame);
        for (Types.NestedField field : loaded.columns().fields()) {
            if (KafkaColumns.isReserved(field.name())) {
                throw new IncompatibleRecordException("Field " + field.name() + " of schema " + frame.schemaId()
                    + " uses the prefix " + KafkaColumns.PREFIX + " of the Kafka metadata columns");
            }
        }
        cache.put(key, loaded);
        return loaded;
    }

    /** {@code struct} with every field optional and fresh placeholder ids, to be merged into the table. */
    Types.StructType asColumns(Types.StructType struct) {
        Types.StructType fresh = TypeUtil.assignFreshIds(new Schema(struct.fields()), nextId::getAndIncrement).asStruct();
        return optional(fresh).asStructType();
    }

    private static Type optional(Type type) {
        switch (type.typeId()) {
            case STRUCT: {
                List<Types.NestedField> fields = new ArrayList<>();
                for (Types.NestedField field : type.asStructType().fields()) {
                    fields.add(Types.NestedField.optional(field.fieldId(), field.name(), optional(field.type()),
                        field.doc()));
                }
                return Types.StructType.of(fields);
            }
            case LIST: {
                Types.ListType list = type.asListType();
                return Types.ListType.ofOptional(list.elementId(), optional(list.elementType()));
            }
            case MAP: {
                Types.MapType map = type.asMapType();
                return Types.MapType.ofOptional(map.keyId(), map.valueId(), map.keyType(), optional(map.valueType()));
            }
            default:
                return type;
        }
    }
}
