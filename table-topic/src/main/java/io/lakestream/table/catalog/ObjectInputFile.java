package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * One object as an Iceberg {@link InputFile}. Its length is given by the caller (manifests
 * record the size of every file they list) or looked up with a listing of its key, once.
 * Not thread-safe; streams are independent.
 */
final class ObjectInputFile implements InputFile {
    private final ObjectStorage storage;
    private final String location;
    private final String key;
    private long length;

    ObjectInputFile(ObjectStorage storage, String location, String key, long length) {
        this.storage = storage;
        this.location = location;
        this.key = key;
        this.length = length;
    }

    @Override
    public long getLength() {
        if (length < 0) {
            length = lookUpLength();
            if (length < 0) {
                throw new NotFoundException("File does not exist: %s", location);
            }
        }
        return length;
    }

    /** The object's size, or -1 if there is none. */
    private long lookUpLength() {
        for (ObjectInfo info : StorageCalls.await(storage.list(key), "list " + location)) {
            if (info.key().equals(key)) {
                return info.size();
            }
        }
        return -1;
    }

    @Override
    public SeekableInputStream newStream() {
        return new ObjectInputStream(storage, location, key, getLength());
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public boolean exists() {
        return length >= 0 || lookUpLength() >= 0;
    }

    @Override
    public String toString() {
        return location;
    }
}
