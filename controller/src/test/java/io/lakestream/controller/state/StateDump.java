package io.lakestream.controller.state;

import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Every table of a state as hex, for comparing whole states in tests. */
final class StateDump {
    private StateDump() {}

    static Map<String, Map<String, String>> of(MetadataState state) {
        Map<String, Map<String, String>> dump = new TreeMap<>();
        HexFormat hex = HexFormat.of();
        try (MetadataStore.ReadView view = state.store().openReadView()) {
            for (Table table : Table.values()) {
                Map<String, String> entries = new TreeMap<>();
                view.scan(table, new byte[0], new byte[0], (key, value) -> {
                    entries.put(hex.formatHex(key), hex.formatHex(value));
                    return true;
                });
                dump.put(table.name(), entries);
            }
        }
        return dump;
    }

    /** The dump without the applied offset, which every command (refused or not) advances. */
    static Map<String, Map<String, String>> withoutOffset(MetadataState state) {
        Map<String, Map<String, String>> dump = of(state);
        dump.get(Table.META.name()).remove(HexFormat.of().formatHex(MetaKeys.APPLIED));
        return dump;
    }
}
