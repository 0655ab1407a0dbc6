package io.lakestream.table.registry;

import com.squareup.wire.schema.Field;
import com.squareup.wire.schema.internal.parser.FieldElement;
import com.squareup.wire.schema.internal.parser.MessageElement;
import com.squareup.wire.schema.internal.parser.OneOfElement;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.TypeElement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The main rules of Confluent's protobuf compatibility check, on .proto files parsed by Wire:
 * what an update of a schema may not do so that data written with one is read with the other.
 * Checked: the package stays; no message is removed; a field number keeps its kind (scalar,
 * message, enum), its scalar type (up to the wire-compatible groups int32/uint32/int64/uint64/
 * bool, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64, string/bytes) and its message type;
 * a field does not change between repeated and single; no required field is added or removed;
 * fields are not moved into a oneof together. Not checked: enums, services, options and
 * imported files (references are not served). Field renames are compatible, as in Confluent.
 * Stateless.
 */
final class ProtobufCompatibility {
    private static final List<Set<String>> COMPATIBLE_SCALARS = List.of(
        Set.of("int32", "uint32", "int64", "uint64", "bool"),
        Set.of("sint32", "sint64"),
        Set.of("fixed32", "sfixed32"),
        Set.of("fixed64", "sfixed64"),
        Set.of("string", "bytes"));
    private static final Set<String> SCALARS = Set.of("double", "float", "int32", "int64", "uint32", "uint64",
        "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes");

    private ProtobufCompatibility() {}

    /** What makes {@code update} incompatible with {@code original}; empty if nothing. */
    static List<String> differences(ProtoFileElement original, ProtoFileElement update) {
        List<String> differences = new ArrayList<>();
        if (!Objects.equals(original.getPackageName(), update.getPackageName())) {
            differences.add("PACKAGE_CHANGED: " + original.getPackageName() + " -> " + update.getPackageName());
        }
        Map<String, MessageElement> before = messages(original.getTypes(), "");
        Map<String, MessageElement> after = messages(update.getTypes(), "");
        Map<String, String> enumsBefore = enums(original.getTypes(), "");
        Map<String, String> enumsAfter = enums(update.getTypes(), "");
        before.forEach((name, message) -> {
            MessageElement updated = after.get(name);
            if (updated == null) {
                differences.add("MESSAGE_REMOVED: " + name);
            } else {
                compareMessage(name, message, updated, enumsBefore.keySet(), enumsAfter.keySet(), differences);
            }
        });
        return differences;
    }

    private static void compareMessage(String name, MessageElement before, MessageElement after, Set<String> enumsBefore,
                                       Set<String> enumsAfter, List<String> differences) {
        Map<Integer, FieldElement> fieldsBefore = fields(before);
        Map<Integer, FieldElement> fieldsAfter = fields(after);
        Map<Integer, String> oneOfBefore = oneOfMembers(before);
        Map<Integer, String> oneOfAfter = oneOfMembers(after);
        fieldsBefore.forEach((tag, field) -> {
            FieldElement updated = fieldsAfter.get(tag);
            String where = name + "." + field.getName() + " (" + tag + ")";
            if (updated == null) {
                if (field.getLabel() == Field.Label.REQUIRED) {
                    differences.add("REQUIRED_FIELD_REMOVED: " + where);
                }
                return;
            }
            String kindBefore = kind(field.getType(), enumsBefore);
            String kindAfter = kind(updated.getType(), enumsAfter);
            if (!kindBefore.equals(kindAfter)) {
                differences.add("FIELD_KIND_CHANGED: " + where + " " + kindBefore + " -> " + kindAfter);
            } else if (kindBefore.equals("scalar") && !scalarsCompatible(field.getType(), updated.getType())) {
                differences.add("FIELD_SCALAR_KIND_CHANGED: " + where + " " + field.getType() + " -> "
                    + updated.getType());
            } else if (!kindBefore.equals("scalar") && !simpleName(field.getType()).equals(simpleName(updated.getType()))) {
                differences.add("FIELD_NAMED_TYPE_CHANGED: " + where + " " + field.getType() + " -> "
                    + updated.getType());
            }
            if ((field.getLabel() == Field.Label.REPEATED) != (updated.getLabel() == Field.Label.REPEATED)) {
                differences.add("FIELD_LABEL_CHANGED: " + where + " " + field.getLabel() + " -> " + updated.getLabel());
            }
        });
        fieldsAfter.forEach((tag, field) -> {
            if (!fieldsBefore.containsKey(tag) && field.getLabel() == Field.Label.REQUIRED) {
                differences.add("REQUIRED_FIELD_ADDED: " + name + "." + field.getName() + " (" + tag + ")");
            }
        });
        Map<String, Integer> movedIntoOneOf = new HashMap<>();
        oneOfAfter.forEach((tag, oneOf) -> {
            if (fieldsBefore.containsKey(tag) && !oneOfBefore.containsKey(tag)) {
                movedIntoOneOf.merge(oneOf, 1, Integer::sum);
            }
        });
        movedIntoOneOf.forEach((oneOf, count) -> {
            if (count > 1) {
                differences.add("MULTIPLE_FIELDS_MOVED_TO_ONEOF: " + name + "." + oneOf);
            }
        });
    }

    /** Every message by its name within the file (nested ones as Outer.Inner). */
    static Map<String, MessageElement> messages(List<TypeElement> types, String prefix) {
        Map<String, MessageElement> messages = new LinkedHashMap<>();
        for (TypeElement type : types) {
            if (type instanceof MessageElement message) {
                messages.put(prefix + message.getName(), message);
                messages.putAll(messages(message.getNestedTypes(), prefix + message.getName() + "."));
            }
        }
        return messages;
    }

    private static Map<String, String> enums(List<TypeElement> types, String prefix) {
        Map<String, String> enums = new HashMap<>();
        for (TypeElement type : types) {
            if (type instanceof MessageElement message) {
                enums.putAll(enums(message.getNestedTypes(), prefix + message.getName() + "."));
            } else {
                enums.put(type.getName(), prefix + type.getName());
            }
        }
        return enums;
    }

    /** Fields by number, those of oneofs included. */
    private static Map<Integer, FieldElement> fields(MessageElement message) {
        Map<Integer, FieldElement> fields = new LinkedHashMap<>();
        for (FieldElement field : message.getFields()) {
            fields.put(field.getTag(), field);
        }
        for (OneOfElement oneOf : message.getOneOfs()) {
            for (FieldElement field : oneOf.getFields()) {
                fields.put(field.getTag(), field);
            }
        }
        return fields;
    }

    private static Map<Integer, String> oneOfMembers(MessageElement message) {
        Map<Integer, String> members = new HashMap<>();
        for (OneOfElement oneOf : message.getOneOfs()) {
            for (FieldElement field : oneOf.getFields()) {
                members.put(field.getTag(), oneOf.getName());
            }
        }
        return members;
    }

    private static String kind(String type, Set<String> enumNames) {
        if (SCALARS.contains(type)) {
            return "scalar";
        }
        if (type.startsWith("map<")) {
            return "map";
        }
        return enumNames.contains(simpleName(type)) ? "enum" : "message";
    }

    private static String simpleName(String type) {
        int dot = type.lastIndexOf('.');
        return dot < 0 ? type : type.substring(dot + 1);
    }

    private static boolean scalarsCompatible(String before, String after) {
        if (before.equals(after)) {
            return true;
        }
        for (Set<String> group : COMPATIBLE_SCALARS) {
            if (group.contains(before) && group.contains(after)) {
                return true;
            }
        }
        return false;
    }
}
