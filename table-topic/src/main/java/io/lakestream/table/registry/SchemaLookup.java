package io.lakestream.table.registry;

/**
 * Finds schemas by the id that Confluent's wire format puts before each value: what table
 * topics with an avro or protobuf format need of the registry. Implementations are thread-safe.
 */
@FunctionalInterface
public interface SchemaLookup {
    /** A lookup that knows no schema (a broker with no registry). */
    SchemaLookup NONE = id -> null;

    /** The schema with {@code id}, or null if there is none. */
    RegisteredSchema byId(int id) throws RegistryException;
}
