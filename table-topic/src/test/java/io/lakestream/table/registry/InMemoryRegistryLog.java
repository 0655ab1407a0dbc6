package io.lakestream.table.registry;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link RegistryLog} in a map, shared by the registries of a test as brokers share the controller's. */
public final class InMemoryRegistryLog implements RegistryLog {
    private final ConcurrentMap<Long, byte[]> slots = new ConcurrentHashMap<>();

    @Override
    public byte[] read(long index) {
        return slots.get(index);
    }

    @Override
    public byte[] putIfAbsent(long index, byte[] entry) {
        byte[] existing = slots.putIfAbsent(index, entry.clone());
        return existing == null ? entry : existing;
    }

    public int size() {
        return slots.size();
    }
}
