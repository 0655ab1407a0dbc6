package io.lakestream.table.registry;

import java.util.Locale;

/**
 * Confluent's compatibility levels: which earlier versions of a subject a new schema is checked
 * against (the latest, or every one with _TRANSITIVE), and in which direction (BACKWARD: the new
 * schema reads data written with the earlier ones; FORWARD: the earlier ones read data written
 * with it; FULL: both).
 */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    public static CompatibilityLevel parse(String name) throws RegistryException {
        if (name == null) {
            throw RegistryException.invalidCompatibility("null");
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidCompatibility(name);
        }
    }

    boolean transitive() {
        return this == BACKWARD_TRANSITIVE || this == FORWARD_TRANSITIVE || this == FULL_TRANSITIVE;
    }

    boolean backward() {
        return this == BACKWARD || this == BACKWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }

    boolean forward() {
        return this == FORWARD || this == FORWARD_TRANSITIVE || this == FULL || this == FULL_TRANSITIVE;
    }
}
