package io.lakestream.table.convert;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Infers the table schema from JSON values: the smallest change to a struct type that holds a
 * value. A field not in the struct becomes a new optional column (objects become structs,
 * arrays lists); an integer beyond 32 bits widens an int column to long; a fractional number
 * widens a float column to double; an integer fits a long, float or double column as it is.
 * Anything else (text for a number, an object for a string, a fraction for an integer column,
 * an integer beyond 64 bits) is incompatible. Nulls, and empty arrays of a new field, add
 * nothing: their type is unknown until a value arrives.
 *
 * <p>New fields get ids from a counter of this merger; they are placeholders that the table
 * replaces when the change is committed ({@code UpdateSchema.unionByNameWith}). Not
 * thread-safe: one per worker.
 */
public final class JsonSchemaMerger {
    private int nextId = 1_000_000;

    /**
     * The struct that holds {@code value} as a row, or {@code current} itself if it already
     * does.
     *
     * @throws IncompatibleRecordException if no allowed change makes it fit
     */
    public Types.StructType mergeRow(Types.StructType current, JsonNode value) throws IncompatibleRecordException {
        if (value == null || value.isNull()) {
            return current;
        }
        if (!value.isObject()) {
            throw new IncompatibleRecordException("The value is JSON " + value.getNodeType().name().toLowerCase()
                + ", not an object");
        }
        for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (KafkaColumns.isReserved(name)) {
                throw new IncompatibleRecordException("Field " + name + " uses the prefix " + KafkaColumns.PREFIX
                    + " of the Kafka metadata columns");
            }
        }
        return mergeStruct(current, value, "");
    }

    private Types.StructType mergeStruct(Types.StructType current, JsonNode object, String path)
        throws IncompatibleRecordException {
        List<Types.NestedField> fields = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            String fieldPath = path + name;
            Types.NestedField existing = current.field(name);
            Type type = merge(existing == null ? null : existing.type(), entry.getValue(), fieldPath);
            if (existing != null && type == existing.type()) {
                continue;
            }
            if (type == null) {
                continue; // a new field with no type yet
            }
            if (fields == null) {
                fields = new ArrayList<>(current.fields());
            }
            if (existing == null) {
                fields.add(Types.NestedField.optional(nextId++, name, type));
            } else {
                fields.set(fields.indexOf(fieldOf(fields, name)), Types.NestedField.of(existing.fieldId(),
                    existing.isOptional(), name, type, existing.doc()));
            }
        }
        return fields == null ? current : Types.StructType.of(fields);
    }

    private static Types.NestedField fieldOf(List<Types.NestedField> fields, String name) {
        for (Types.NestedField field : fields) {
            if (field.name().equals(name)) {
                return field;
            }
        }
        throw new IllegalStateException("No field " + name);
    }

    /** The type that holds {@code value} given {@code current} (null: no type yet); the same object if unchanged. */
    private Type merge(Type current, JsonNode value, String path) throws IncompatibleRecordException {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return current;
        }
        if (current == null) {
            return newType(value, path);
        }
        switch (current.typeId()) {
            case BOOLEAN:
                return require(value.isBoolean(), current, value, path);
            case STRING:
                return require(value.isTextual(), current, value, path);
            case INTEGER:
                if (value.isInt()) {
                    return current;
                }
                if (value.isIntegralNumber() && value.canConvertToLong()) {
                    return Types.LongType.get();
                }
                return require(false, current, value, path);
            case LONG:
                return require(value.isIntegralNumber() && value.canConvertToLong(), current, value, path);
            case FLOAT:
                if (value.isIntegralNumber()) {
                    return current;
                }
                if (value.isNumber()) {
                    return Types.DoubleType.get();
                }
                return require(false, current, value, path);
            case DOUBLE:
                return require(value.isNumber(), current, value, path);
            case STRUCT:
                require(value.isObject(), current, value, path);
                return mergeStruct(current.asStructType(), value, path + ".");
            case LIST:
                require(value.isArray(), current, value, path);
                Types.ListType list = current.asListType();
                Type element = list.elementType();
                Type merged = element;
                for (JsonNode item : value) {
                    merged = merge(merged, item, path + "[]");
                }
                return merged == element ? current
                    : Types.ListType.ofOptional(list.elementId(), merged);
            default:
                throw new IncompatibleRecordException("Field " + path + " has type " + current
                    + ", which JSON values are not converted to");
        }
    }

    private Type newType(JsonNode value, String path) throws IncompatibleRecordException {
        if (value.isBoolean()) {
            return Types.BooleanType.get();
        }
        if (value.isTextual()) {
            return Types.StringType.get();
        }
        if (value.isInt()) {
            return Types.IntegerType.get();
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                throw new IncompatibleRecordException("Field " + path + " is an integer beyond 64 bits: " + value);
            }
            return Types.LongType.get();
        }
        if (value.isNumber()) {
            return Types.DoubleType.get();
        }
        if (value.isObject()) {
            Types.StructType struct = mergeStruct(Types.StructType.of(), value, path + ".");
            return struct.fields().isEmpty() ? null : struct;
        }
        if (value.isArray()) {
            Type element = null;
            for (JsonNode item : value) {
                element = merge(element, item, path + "[]");
            }
            return element == null ? null : Types.ListType.ofOptional(nextId++, element);
        }
        throw new IncompatibleRecordException("Field " + path + " has a JSON " + value.getNodeType()
            + " value, which has no column type");
    }

    private static Type require(boolean fits, Type current, JsonNode value, String path)
        throws IncompatibleRecordException {
        if (!fits) {
            throw new IncompatibleRecordException("Field " + path + " is " + current + " but the record has "
                + describe(value));
        }
        return current;
    }

    private static String describe(JsonNode value) {
        String text = value.toString();
        String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return "a JSON " + value.getNodeType().name().toLowerCase() + " (" + shown + ")";
    }
}
