package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import java.nio.file.Path;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * One object to be written as an Iceberg {@link OutputFile}. {@link #create()} does not check
 * that the object is absent (as S3FileIO does not): Iceberg names data files and manifests
 * uniquely, and the catalog creates metadata versions atomically itself
 * ({@link ObjectStorage#writeIfAbsent}). Immutable.
 */
final class ObjectOutputFile implements OutputFile {
    private final ObjectStorage storage;
    private final String location;
    private final String key;
    private final Path spillDir;

    ObjectOutputFile(ObjectStorage storage, String location, String key, Path spillDir) {
        this.storage = storage;
        this.location = location;
        this.key = key;
        this.spillDir = spillDir;
    }

    @Override
    public PositionOutputStream create() {
        return createOrOverwrite();
    }

    @Override
    public PositionOutputStream createOrOverwrite() {
        return new ObjectOutputStream(storage, location, key, spillDir);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public InputFile toInputFile() {
        return new ObjectInputFile(storage, location, key, -1);
    }

    @Override
    public String toString() {
        return location;
    }
}
