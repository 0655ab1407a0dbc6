package io.lakestream.table.catalog;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SessionCatalog.SessionContext;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.HTTPClient;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.RESTClient;
import org.apache.iceberg.rest.RESTSessionCatalog;
import org.apache.iceberg.rest.RESTUtil;

/**
 * Iceberg's own JDBC and REST catalogs, for table topics whose tables an outside catalog keeps.
 * The catalog keeps the pointer to each table's current metadata; the files (Parquet data,
 * manifests and, for JDBC, the metadata JSON) are written by the broker through its
 * {@link ObjectStoreFileIO}, so they land in the broker's object store where query engines read
 * them. A table's location is chosen here, {@code <warehouse><namespace>/<table>-<suffix>}, not
 * by the catalog, so that it is always a place this FileIO reaches (a REST server writes the
 * metadata JSON there too, so it must reach the same store).
 *
 * <p>Both catalogs commit optimistically and report a lost race as Iceberg's
 * {@code CommitFailedException}, like the built-in catalog. Stateless; the catalogs made are
 * thread-safe.
 */
public final class ExternalCatalogs {
    private ExternalCatalogs() {}

    /**
     * Iceberg's {@link JdbcCatalog} over the database at {@code uri}, creating its two tables there
     * if they are missing. The driver must be on the classpath.
     *
     * @param warehouse where tables go, a location under {@code io}'s root, ending with {@code /}
     * @param properties further catalog properties (jdbc.user, jdbc.password, ...); they win over ours
     */
    public static JdbcCatalog jdbc(String name, String uri, String warehouse, Map<String, String> properties,
                                   ObjectStoreFileIO io) {
        return initialized(new LocatedJdbcCatalog(io, warehouse), name, uri, warehouse, properties);
    }

    /**
     * Iceberg's {@link RESTCatalog} for the server at {@code uri} ({@code GET /v1/config} is asked at
     * once, so an unreachable server fails here).
     *
     * @param warehouse where new tables go, a location under {@code io}'s root, ending with {@code /}
     * @param properties further catalog properties (credential, token, warehouse, prefix, ...)
     */
    public static RESTCatalog rest(String name, String uri, String warehouse, Map<String, String> properties,
                                   ObjectStoreFileIO io) {
        // No warehouse property: to a REST server it names a warehouse of its own, not a location.
        return initialized(new LocatedRestCatalog(io, warehouse), name, uri, null, properties);
    }

    /** {@code catalog} initialized with our properties, then {@code properties}, which win. */
    private static <C extends Catalog> C initialized(C catalog, String name, String uri, String warehouse,
                                                     Map<String, String> properties) {
        Map<String, String> all = new HashMap<>();
        all.put(CatalogProperties.URI, uri);
        if (warehouse != null) {
            all.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        }
        all.putAll(TableDefaults.CATALOG_PROPERTIES);
        all.putAll(properties);
        catalog.initialize(name, all);
        return catalog;
    }

    /** A JDBC catalog whose tables' files go through the broker's FileIO, new tables under the warehouse. */
    private static final class LocatedJdbcCatalog extends JdbcCatalog {
        private final String warehouse;

        LocatedJdbcCatalog(ObjectStoreFileIO io, String warehouse) {
            super(properties -> io, null, true);
            this.warehouse = warehouse;
        }

        @Override
        protected String defaultWarehouseLocation(TableIdentifier table) {
            return TableDefaults.location(warehouse, table);
        }
    }

    /**
     * A REST catalog whose tables' files go through the broker's FileIO (whatever the server's
     * config says) and whose new tables are placed under the warehouse.
     */
    private static final class LocatedRestCatalog extends RESTCatalog {
        private final ObjectStoreFileIO io;
        private final String warehouse;

        LocatedRestCatalog(ObjectStoreFileIO io, String warehouse) {
            super(SessionContext.createEmpty(), LocatedRestCatalog::httpClient);
            this.io = io;
            this.warehouse = warehouse;
        }

        private static RESTClient httpClient(Map<String, String> config) {
            return HTTPClient.builder(config).uri(config.get(CatalogProperties.URI))
                .withHeaders(RESTUtil.configHeaders(config)).build();
        }

        @Override
        protected RESTSessionCatalog newSessionCatalog(Function<Map<String, String>, RESTClient> clientBuilder) {
            // Called from the super constructor: the FileIO is read when the catalog is initialized.
            return new RESTSessionCatalog(clientBuilder, (context, config) -> io);
        }

        @Override
        public Catalog.TableBuilder buildTable(TableIdentifier identifier, Schema schema) {
            return super.buildTable(identifier, schema).withLocation(TableDefaults.location(warehouse, identifier));
        }
    }
}
