package io.lakestream.controller.cluster;

/** One change to a topic's config overrides; {@code value} is null for {@link Type#DELETE}. */
public record ConfigOp(Type type, String key, String value) {
    public enum Type {
        SET,
        /** Back to the default: the override is removed. */
        DELETE
    }

    public ConfigOp {
        if (type == Type.SET && value == null) {
            throw new IllegalArgumentException("SET of " + key + " needs a value");
        }
        if (type == Type.DELETE) {
            value = null;
        }
    }

    public static ConfigOp set(String key, String value) {
        return new ConfigOp(Type.SET, key, value);
    }

    public static ConfigOp delete(String key) {
        return new ConfigOp(Type.DELETE, key, null);
    }
}
