package io.lakestream.table.catalog;

import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What every catalog of table topics, built-in or external, gives a new table: its properties
 * and its place under the warehouse. Stateless.
 */
final class TableDefaults {
    /**
     * Catalog properties: format 2 tables (row deltas for upserts), and old metadata versions
     * deleted as new ones are committed (one is made every commit interval).
     */
    static final Map<String, String> CATALOG_PROPERTIES = Map.of(
        CatalogProperties.TABLE_DEFAULT_PREFIX + TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
        CatalogProperties.TABLE_DEFAULT_PREFIX + TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "20",
        CatalogProperties.TABLE_DEFAULT_PREFIX + TableProperties.FORMAT_VERSION, "2");

    private TableDefaults() {}

    /**
     * {@code <warehouse><namespace levels>/<table>-<random>}: the suffix keeps a re-created
     * table's files apart from a dropped one's.
     *
     * @param warehouse a location ending with {@code /}
     */
    static String location(String warehouse, TableIdentifier table) {
        StringBuilder location = new StringBuilder(warehouse);
        for (String level : table.namespace().levels()) {
            location.append(level).append('/');
        }
        return location.append(table.name()).append('-').append(UUID.randomUUID().toString(), 0, 8).toString();
    }
}
