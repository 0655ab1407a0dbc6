package io.lakestream.stream.object;

/**
 * An object's bytes are not a valid data object: bad magic, unknown version, truncated
 * footer or index, or a CRC mismatch. The message names the object key and what was wrong.
 * Readers throw it rather than return data they cannot vouch for.
 */
public class ObjectFormatException extends RuntimeException {
    private final String key;

    public ObjectFormatException(String key, String problem) {
        super("Object '" + key + "': " + problem);
        this.key = key;
    }

    /** The key of the object that failed. */
    public String key() {
        return key;
    }
}
