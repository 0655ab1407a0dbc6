package io.lakestream.stream.storage;

/** The object named in a read does not exist. */
public class ObjectNotFoundException extends ObjectStorageException {
    public ObjectNotFoundException(String key) {
        super("No object with key '" + key + "'");
    }
}
