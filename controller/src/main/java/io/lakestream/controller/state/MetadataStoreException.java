package io.lakestream.controller.state;

/** RocksDB failed underneath the controller state: an I/O problem, not a refused command. */
public class MetadataStoreException extends RuntimeException {
    public MetadataStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
