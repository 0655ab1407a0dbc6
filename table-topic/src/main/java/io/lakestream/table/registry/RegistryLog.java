package io.lakestream.table.registry;

/**
 * Where the registry keeps its entries: a log of numbered slots, 0, 1, 2, ..., each written once.
 * Brokers that write the registry at the same time race for the next free slot, and the store
 * decides which write won, so every broker replays the same entries in the same order and ids
 * are given out once. Implementations are thread-safe and durable before they return.
 */
public interface RegistryLog {

    /** The entry in slot {@code index}, or null if the slot is free (the log's end). */
    byte[] read(long index) throws RegistryException;

    /** Writes slot {@code index} unless it is taken; returns what the slot holds afterwards. */
    byte[] putIfAbsent(long index, byte[] entry) throws RegistryException;
}
