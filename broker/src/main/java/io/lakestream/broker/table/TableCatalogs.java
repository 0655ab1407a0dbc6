package io.lakestream.broker.table;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the broker's built-in Iceberg catalog over its object store, and what the REST
 * endpoint tells clients about reaching that store. Stateless.
 */
public final class TableCatalogs {
    public static final String CATALOG_NAME = "lakestream";

    private TableCatalogs() {}

    /**
     * The catalog under {@code table.catalog.key.prefix}; files being written wait in
     * {@code spillDir}, which is emptied first (what is there belongs to writers that died).
     */
    public static ObjectStoreCatalog catalog(BrokerConfig config, ObjectStorage objects, Path spillDir) {
        emptyDirectory(spillDir);
        String prefix = config.getString(BrokerConfig.TABLE_CATALOG_PREFIX);
        ObjectStoreFileIO io = new ObjectStoreFileIO(objects, locations(config), spillDir);
        return new ObjectStoreCatalog(CATALOG_NAME, objects, io, prefix + "catalog/", prefix + "warehouse/");
    }

    /** s3://bucket/ for S3; the object directory's file: URI for the local store. */
    static ObjectLocations locations(BrokerConfig config) {
        if ("s3".equals(config.getString(BrokerConfig.OBJECT_STORE_TYPE))) {
            return ObjectLocations.s3(config.getString(BrokerConfig.S3_BUCKET));
        }
        String root = config.localObjectDir().toUri().toString();
        return new ObjectLocations(root.endsWith("/") ? root : root + "/");
    }

    /** The catalog properties clients with Iceberg's own S3 FileIO need (no credentials). */
    public static Map<String, String> clientConfig(BrokerConfig config) {
        Map<String, String> client = new HashMap<>();
        if ("s3".equals(config.getString(BrokerConfig.OBJECT_STORE_TYPE))) {
            if (config.getString(BrokerConfig.S3_ENDPOINT) != null) {
                client.put("s3.endpoint", config.getString(BrokerConfig.S3_ENDPOINT));
            }
            client.put("s3.path-style-access", String.valueOf(config.getBoolean(BrokerConfig.S3_PATH_STYLE_ACCESS)));
            client.put("client.region", config.getString(BrokerConfig.S3_REGION));
        }
        return client;
    }

    private static void emptyDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
            try (Stream<Path> leftovers = Files.list(dir)) {
                for (Path file : (Iterable<Path>) leftovers::iterator) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the table spill directory " + dir, e);
        }
    }
}
