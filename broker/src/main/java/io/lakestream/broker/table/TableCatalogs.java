package io.lakestream.broker.table;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.table.catalog.ExternalCatalogs;
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
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.kafka.common.config.ConfigException;

/**
 * Builds the catalog of table topics' tables that {@code table.catalog.type} names (the
 * built-in one over the object store, or Iceberg's REST or JDBC catalog), and what the REST
 * endpoint tells clients about reaching the object store. Whatever the type, table files are
 * written through one {@link ObjectStoreFileIO} over the broker's object store, under
 * {@code table.catalog.warehouse}. Stateless.
 */
public final class TableCatalogs {
    public static final String CATALOG_NAME = "lakestream";

    private TableCatalogs() {}

    /**
     * The configured catalog; every one returned also implements {@link SupportsNamespaces} and
     * {@link java.io.Closeable}. Files being written wait in {@code spillDir}, which is emptied
     * first (what is there belongs to writers that died).
     *
     * @throws ConfigException naming the key, for a warehouse outside the object store or an
     *     external catalog that cannot be reached or initialized
     */
    public static Catalog catalog(BrokerConfig config, ObjectStorage objects, Path spillDir) {
        emptyDirectory(spillDir);
        ObjectLocations locations = locations(config);
        ObjectStoreFileIO io = new ObjectStoreFileIO(objects, locations, spillDir);
        String prefix = config.getString(BrokerConfig.TABLE_CATALOG_PREFIX);
        String warehouse = warehouse(config, locations);
        String type = config.getString(BrokerConfig.TABLE_CATALOG_TYPE);
        String name = config.getString(BrokerConfig.TABLE_CATALOG_NAME);
        if ("builtin".equals(type)) {
            return new ObjectStoreCatalog(name, objects, io, prefix + "catalog/", locations.keyOf(warehouse));
        }
        String uri = config.getString(BrokerConfig.TABLE_CATALOG_URI);
        try {
            return "jdbc".equals(type)
                ? ExternalCatalogs.jdbc(name, uri, warehouse, config.tableCatalogProperties(), io)
                : ExternalCatalogs.rest(name, uri, warehouse, config.tableCatalogProperties(), io);
        } catch (RuntimeException e) {
            throw new ConfigException(BrokerConfig.TABLE_CATALOG_URI, uri, "cannot be opened as the " + type
                + " catalog: " + e);
        }
    }

    /** table.catalog.warehouse, ending with '/', or the built-in default; a location {@code locations} reach. */
    static String warehouse(BrokerConfig config, ObjectLocations locations) {
        String warehouse = config.getString(BrokerConfig.TABLE_CATALOG_WAREHOUSE);
        if (warehouse == null) {
            return locations.locationOf(config.getString(BrokerConfig.TABLE_CATALOG_PREFIX) + "warehouse/");
        }
        warehouse = warehouse.endsWith("/") ? warehouse : warehouse + "/";
        if (!warehouse.startsWith(locations.root()) || warehouse.length() == locations.root().length()) {
            throw new ConfigException(BrokerConfig.TABLE_CATALOG_WAREHOUSE, config.getString(
                BrokerConfig.TABLE_CATALOG_WAREHOUSE), "must be a path in the broker's object store, under "
                + locations.root());
        }
        return warehouse;
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
