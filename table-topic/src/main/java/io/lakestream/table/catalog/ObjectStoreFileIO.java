package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.io.BulkDeletionFailureException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SupportsBulkOperations;

/**
 * Iceberg's {@link FileIO} over Lakestream's {@link ObjectStorage}: the table files (Parquet
 * data, manifests, metadata) live in the same store as the topics, reached with the same
 * client, retries and request meters. Locations map to keys through {@link ObjectLocations}.
 *
 * <p>Reads are ranged GETs through a small buffer; a file being written stays in memory up to
 * {@value ObjectOutputStream#MEMORY_BYTES} bytes, then in a temporary file under
 * {@code spillDir}, and is uploaded whole when the writer closes it. So an object appears
 * complete or not at all.
 *
 * <p>Thread-safe: each stream belongs to the thread that opened it.
 */
@SuppressWarnings("serial")
public final class ObjectStoreFileIO implements FileIO, SupportsBulkOperations {
    private final transient ObjectStorage storage;
    private final ObjectLocations locations;
    private final Path spillDir;

    public ObjectStoreFileIO(ObjectStorage storage, ObjectLocations locations, Path spillDir) {
        this.storage = storage;
        this.locations = locations;
        this.spillDir = spillDir;
    }

    public ObjectLocations locations() {
        return locations;
    }

    @Override
    public InputFile newInputFile(String location) {
        return new ObjectInputFile(storage, location, locations.keyOf(location), -1);
    }

    @Override
    public InputFile newInputFile(String location, long length) {
        return new ObjectInputFile(storage, location, locations.keyOf(location), length);
    }

    @Override
    public OutputFile newOutputFile(String location) {
        return new ObjectOutputFile(storage, location, locations.keyOf(location), spillDir);
    }

    @Override
    public void deleteFile(String location) {
        StorageCalls.await(storage.delete(List.of(locations.keyOf(location))), "delete " + location);
    }

    @Override
    public void deleteFiles(Iterable<String> pathsToDelete) throws BulkDeletionFailureException {
        List<String> keys = new ArrayList<>();
        pathsToDelete.forEach(location -> keys.add(locations.keyOf(location)));
        try {
            StorageCalls.await(storage.delete(keys), "delete " + keys.size() + " files");
        } catch (RuntimeException e) {
            BulkDeletionFailureException failure = new BulkDeletionFailureException(keys.size());
            failure.addSuppressed(e);
            throw failure;
        }
    }

    @Override
    public Map<String, String> properties() {
        return Map.of();
    }
}
