package io.lakestream.table.registry;

/** A schema as the registry knows it by id: its type and canonical text. Immutable. */
public record RegisteredSchema(int id, SchemaType type, String schema) {}
