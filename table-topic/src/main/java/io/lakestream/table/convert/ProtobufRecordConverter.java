package io.lakestream.table.convert;

import com.squareup.wire.ProtoAdapter;
import com.squareup.wire.schema.CoreLoader;
import com.squareup.wire.schema.EnumType;
import com.squareup.wire.schema.ErrorCollector;
import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.Linker;
import com.squareup.wire.schema.MessageType;
import com.squareup.wire.schema.ProtoFile;
import com.squareup.wire.schema.ProtoType;
import io.lakestream.table.registry.RegisteredSchema;
import io.lakestream.table.registry.RegistryException;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.registry.SchemaType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okio.ByteString;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Protobuf values in Confluent's wire format (lakestream.table.format=protobuf): the registered
 * .proto file is parsed and linked with Wire, the message type the value's indexes name becomes
 * columns, and values are decoded with Wire's schema-driven adapter (no generated classes).
 * Scalars map to int (int32, sint32, sfixed32), long (int64, sint64, sfixed64, uint32, fixed32,
 * uint64, fixed64; the unsigned 64-bit ones keep their bits), float, double, boolean, string and
 * binary; enums to their names; messages to structs, repeated fields to lists, map fields to
 * maps. Recursive message types are not converted. Not thread-safe: one per partition worker.
 */
public final class ProtobufRecordConverter extends RegistryRecordConverter {
    private static final int MAX_DEPTH = 32;
    private static final String FILE = "schema.proto";

    public ProtobufRecordConverter(SchemaLookup schemas) {
        super(schemas, SchemaType.PROTOBUF);
    }

    @Override
    ConfluentWireFormat.Frame frame(SourceRecord record) throws IncompatibleRecordException {
        return ConfluentWireFormat.protobuf(record.value());
    }

    @Override
    ValueSchema load(RegisteredSchema registered, ConfluentWireFormat.Frame frame) throws IncompatibleRecordException {
        com.squareup.wire.schema.Schema schema;
        try {
            ProtoFile file = ProtoFile.Companion.get(SchemaType.proto(registered.schema()));
            schema = new Linker(CoreLoader.INSTANCE, new ErrorCollector(), false, true).link(List.of(file));
        } catch (RegistryException | RuntimeException e) {
            throw new IncompatibleRecordException("Schema " + registered.id() + " does not link: " + e.getMessage());
        }
        MessageType message = messageAt(schema.protoFile(FILE), frame.messageIndexes(), registered.id());
        Types.StructType columns = asColumns(struct(schema, message, new AtomicInteger(1), 0));
        ProtoAdapter<Object> adapter = schema.protoAdapter(message.getType().toString(), false);
        return new ValueSchema(columns, adapter::decode, (row, type, value) -> fillStruct(row, type, (Map<?, ?>) value));
    }

    /** The message type at {@code indexes}: among the file's top-level messages, then nested ones. */
    private static MessageType messageAt(ProtoFile file, List<Integer> indexes, int id)
        throws IncompatibleRecordException {
        List<com.squareup.wire.schema.Type> types = file.getTypes();
        MessageType message = null;
        for (int index : indexes) {
            List<MessageType> messages = types.stream().filter(MessageType.class::isInstance)
                .map(MessageType.class::cast).toList();
            if (index >= messages.size()) {
                throw new IncompatibleRecordException("Schema " + id + " has no message at indexes " + indexes);
            }
            message = messages.get(index);
            types = message.getNestedTypes();
        }
        if (message == null) {
            throw new IncompatibleRecordException("Schema " + id + " has no message at indexes " + indexes);
        }
        return message;
    }

    private static Types.StructType struct(com.squareup.wire.schema.Schema schema, MessageType message,
                                           AtomicInteger ids, int depth) throws IncompatibleRecordException {
        if (depth > MAX_DEPTH) {
            throw new IncompatibleRecordException("Message " + message.getType() + " nests deeper than " + MAX_DEPTH
                + " levels (a recursive type), which has no table columns");
        }
        List<Types.NestedField> fields = new ArrayList<>();
        for (Field field : message.getFieldsAndOneOfFields()) {
            Type type = type(schema, field.getType(), ids, depth);
            if (field.isRepeated() && !field.getType().isMap()) {
                type = Types.ListType.ofOptional(ids.getAndIncrement(), type);
            }
            fields.add(Types.NestedField.optional(ids.getAndIncrement(), field.getName(), type));
        }
        return Types.StructType.of(fields);
    }

    private static Type type(com.squareup.wire.schema.Schema schema, ProtoType proto, AtomicInteger ids, int depth)
        throws IncompatibleRecordException {
        if (proto.isMap()) {
            return Types.MapType.ofOptional(ids.getAndIncrement(), ids.getAndIncrement(),
                type(schema, proto.getKeyType(), ids, depth), type(schema, proto.getValueType(), ids, depth));
        }
        if (proto.isScalar()) {
            return switch (proto.getSimpleName()) {
                case "double" -> Types.DoubleType.get();
                case "float" -> Types.FloatType.get();
                case "int32", "sint32", "sfixed32" -> Types.IntegerType.get();
                case "int64", "sint64", "sfixed64", "uint32", "fixed32", "uint64", "fixed64" -> Types.LongType.get();
                case "bool" -> Types.BooleanType.get();
                case "string" -> Types.StringType.get();
                case "bytes" -> Types.BinaryType.get();
                default -> throw new IncompatibleRecordException("No column type for protobuf " + proto);
            };
        }
        com.squareup.wire.schema.Type declared = schema.getType(proto);
        if (declared instanceof EnumType) {
            return Types.StringType.get();
        }
        if (declared instanceof MessageType message) {
            return struct(schema, message, ids, depth + 1);
        }
        throw new IncompatibleRecordException("No column type for protobuf " + proto);
    }

    private static void fillStruct(Record row, Types.StructType type, Map<?, ?> message) {
        message.forEach((name, value) -> {
            Types.NestedField column = type.field(name.toString());
            if (column != null) {
                row.setField(column.name(), convert(column.type(), value));
            }
        });
    }

    /** The Iceberg value of a value Wire's schema adapter decoded, for a column of {@code type}. */
    private static Object convert(Type type, Object value) {
        if (value == null) {
            return null;
        }
        switch (type.typeId()) {
            case STRUCT: {
                Record struct = GenericRecord.create(type.asStructType());
                fillStruct(struct, type.asStructType(), (Map<?, ?>) value);
                return struct;
            }
            case LIST: {
                List<Object> list = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    list.add(convert(type.asListType().elementType(), item));
                }
                return list;
            }
            case MAP: {
                Map<Object, Object> map = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((key, item) -> map.put(convert(type.asMapType().keyType(), key),
                    convert(type.asMapType().valueType(), item)));
                return map;
            }
            case STRING:
                return value.toString();
            case BOOLEAN:
                return value;
            case INTEGER:
                return ((Number) value).intValue();
            case LONG:
                // uint32 and fixed32 arrive as a (signed) Integer: keep the unsigned value.
                return value instanceof Integer small ? Integer.toUnsignedLong(small) : ((Number) value).longValue();
            case FLOAT:
                return ((Number) value).floatValue();
            case DOUBLE:
                return ((Number) value).doubleValue();
            case BINARY:
                return ByteBuffer.wrap(((ByteString) value).toByteArray());
            default:
                throw new IllegalStateException("No protobuf conversion to " + type);
        }
    }
}
