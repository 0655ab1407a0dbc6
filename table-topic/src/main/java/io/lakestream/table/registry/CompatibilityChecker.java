package io.lakestream.table.registry;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * Whether a new schema may follow a subject's earlier ones under a compatibility level. Avro
 * is checked by Avro's own {@link SchemaCompatibility} (the reader/writer resolution rules);
 * protobuf by {@link ProtobufCompatibility}. Stateless.
 */
public final class CompatibilityChecker {
    private CompatibilityChecker() {}

    /**
     * The reasons {@code candidate} is incompatible; empty if it is compatible.
     *
     * @param earlier the subject's live versions' schemas, oldest first; the latest only is
     *     checked unless the level is transitive
     */
    public static List<String> check(SchemaType type, CompatibilityLevel level, String candidate, List<String> earlier)
        throws RegistryException {
        List<String> messages = new ArrayList<>();
        if (level == CompatibilityLevel.NONE || earlier.isEmpty()) {
            return messages;
        }
        List<String> against = level.transitive() ? earlier : List.of(earlier.get(earlier.size() - 1));
        for (String previous : against) {
            if (level.backward()) {
                messages.addAll(readable(type, candidate, previous, "BACKWARD"));
            }
            if (level.forward()) {
                messages.addAll(readable(type, previous, candidate, "FORWARD"));
            }
        }
        return messages;
    }

    /** Why data written with {@code writer} cannot be read with {@code reader}. */
    private static List<String> readable(SchemaType type, String reader, String writer, String direction)
        throws RegistryException {
        List<String> messages = new ArrayList<>();
        if (type == SchemaType.AVRO) {
            Schema readerSchema = SchemaType.avro(reader);
            Schema writerSchema = SchemaType.avro(writer);
            SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writerSchema);
            for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
                messages.add(direction + ": {errorType:'" + incompatibility.getType() + "', description:'"
                    + incompatibility.getMessage() + "', location:'" + incompatibility.getLocation() + "'}");
            }
        } else {
            for (String difference : ProtobufCompatibility.differences(SchemaType.proto(writer), SchemaType.proto(reader))) {
                messages.add(direction + ": " + difference);
            }
        }
        return messages;
    }
}
