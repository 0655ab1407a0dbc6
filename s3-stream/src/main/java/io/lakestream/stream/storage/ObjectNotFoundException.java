package io.lakestream.stream.storage;

/** The object named in a read does not exist. */
public class ObjectNotFoundException extends ObjectStorageException {
    private final String key;

    public ObjectNotFoundException(String key) {
        super("No object with key '" + key + "'");
        this.key = key;
    }

    /** {@code store} names where it was looked for, such as {@code s3://bucket}. */
    public ObjectNotFoundException(String key, String store, Throwable cause) {
        super("No object with key '" + key + "' in " + store, cause);
        this.key = key;
    }

    /** The key that was not found. */
    public String key() {
        return key;
    }
}
