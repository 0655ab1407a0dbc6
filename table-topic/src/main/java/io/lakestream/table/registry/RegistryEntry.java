package io.lakestream.table.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One change of the registry, as stored in a {@link RegistryLog} slot (JSON, so that an
 * operator can read the store): a version registered, a version or a subject deleted (soft,
 * or permanently), or a compatibility level set or cleared. The registry's state is the replay
 * of its entries in slot order. Immutable.
 *
 * @param subject null for the global compatibility level
 * @param version the version registered or deleted; null for a whole subject
 * @param compatibility the level set, or null to clear a subject's own level
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RegistryEntry(Op op, String subject, Integer version, Integer id, SchemaType schemaType, String schema,
                     Boolean permanent, CompatibilityLevel compatibility) {
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    enum Op { REGISTER, DELETE_VERSION, DELETE_SUBJECT, CONFIG }

    static RegistryEntry register(String subject, int version, int id, SchemaType type, String schema) {
        return new RegistryEntry(Op.REGISTER, subject, version, id, type, schema, null, null);
    }

    static RegistryEntry deleteVersion(String subject, int version, boolean permanent) {
        return new RegistryEntry(Op.DELETE_VERSION, subject, version, null, null, null, permanent, null);
    }

    static RegistryEntry deleteSubject(String subject, boolean permanent) {
        return new RegistryEntry(Op.DELETE_SUBJECT, subject, null, null, null, null, permanent, null);
    }

    static RegistryEntry config(String subject, CompatibilityLevel level) {
        return new RegistryEntry(Op.CONFIG, subject, null, null, null, null, null, level);
    }

    boolean isPermanent() {
        return Boolean.TRUE.equals(permanent);
    }

    byte[] toBytes() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RegistryEntry fromBytes(byte[] bytes) {
        try {
            return JSON.readValue(bytes, RegistryEntry.class);
        } catch (IOException e) {
            throw new UncheckedIOException("A schema registry entry does not parse", e);
        }
    }
}
