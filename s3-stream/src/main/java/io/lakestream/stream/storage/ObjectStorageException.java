package io.lakestream.stream.storage;

/** An object storage operation failed; the message names the operation and the key. */
public class ObjectStorageException extends RuntimeException {
    public ObjectStorageException(String message) {
        super(message);
    }

    public ObjectStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
