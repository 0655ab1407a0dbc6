package io.lakestream.table.convert;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

/**
 * The table row type that holds the columns of a registered schema (Avro or protobuf mapped to
 * Iceberg): fields the table lacks are added, a column whose type the schema widens (int to
 * long, float to double, a larger decimal precision) is widened, and a column the schema narrows
 * keeps its type (its values widen as they are written). A type change that is neither (a
 * string for an int) is incompatible: such records fail rather than break the table. Columns the
 * schema does not have stay (their rows get nulls). Stateless.
 */
final class ColumnTypeMerger {
    private ColumnTypeMerger() {}

    /** {@code current} itself if it already holds {@code incoming}, else the merged struct. */
    static Types.StructType merge(Types.StructType current, Types.StructType incoming)
        throws IncompatibleRecordException {
        return mergeStruct(current, incoming, "");
    }

    private static Types.StructType mergeStruct(Types.StructType current, Types.StructType incoming, String path)
        throws IncompatibleRecordException {
        List<Types.NestedField> fields = null;
        for (Types.NestedField field : incoming.fields()) {
            Types.NestedField existing = current.field(field.name());
            Type type = existing == null ? field.type() : mergeType(existing.type(), field.type(), path + field.name());
            if (existing != null && type == existing.type()) {
                continue;
            }
            if (fields == null) {
                fields = new ArrayList<>(current.fields());
            }
            if (existing == null) {
                fields.add(field);
            } else {
                fields.set(current.fields().indexOf(existing), Types.NestedField.of(existing.fieldId(),
                    existing.isOptional(), existing.name(), type, existing.doc()));
            }
        }
        return fields == null ? current : Types.StructType.of(fields);
    }

    private static Type mergeType(Type current, Type incoming, String path) throws IncompatibleRecordException {
        if (current.isPrimitiveType() && incoming.isPrimitiveType()) {
            if (current.equals(incoming) || TypeUtil.isPromotionAllowed(incoming, current.asPrimitiveType())) {
                return current;
            }
            if (TypeUtil.isPromotionAllowed(current, incoming.asPrimitiveType())) {
                return incoming;
            }
        } else if (current.typeId() == incoming.typeId()) {
            switch (current.typeId()) {
                case STRUCT:
                    return mergeStruct(current.asStructType(), incoming.asStructType(), path + ".");
                case LIST: {
                    Types.ListType list = current.asListType();
                    Type element = mergeType(list.elementType(), incoming.asListType().elementType(), path + "[]");
                    return element == list.elementType() ? current : Types.ListType.ofOptional(list.elementId(), element);
                }
                case MAP: {
                    Types.MapType map = current.asMapType();
                    Types.MapType other = incoming.asMapType();
                    if (!map.keyType().equals(other.keyType())) {
                        break;
                    }
                    Type value = mergeType(map.valueType(), other.valueType(), path + "{}");
                    return value == map.valueType() ? current
                        : Types.MapType.ofOptional(map.keyId(), map.valueId(), map.keyType(), value);
                }
                default:
                    break;
            }
        }
        throw new IncompatibleRecordException("Field " + path + " is " + current + " in the table but " + incoming
            + " in the record's schema, and neither widens to the other");
    }
}
