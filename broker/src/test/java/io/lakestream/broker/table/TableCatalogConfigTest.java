package io.lakestream.broker.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** table.catalog.*: a wrong type, a missing URI or a warehouse the broker cannot write stop it, naming the key. */
class TableCatalogConfigTest {
    @TempDir
    Path dir;

    private BrokerConfig config(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(Map.of("node.id", 1, "log.dir", dir.resolve("data").toString(),
            "controller.quorum.voters", "1@127.0.0.1:9093"));
        props.putAll(overrides);
        return new BrokerConfig(props);
    }

    @Test
    void anUnknownCatalogTypeIsRefused() {
        assertThatThrownBy(() -> config(Map.of(BrokerConfig.TABLE_CATALOG_TYPE, "hive")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("table.catalog.type");
    }

    @Test
    void anExternalCatalogNeedsAUri() {
        assertThatThrownBy(() -> config(Map.of(BrokerConfig.TABLE_CATALOG_TYPE, "jdbc")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("table.catalog.uri")
            .hasMessageContaining("table.catalog.type=jdbc");
    }

    @Test
    void catalogPropertiesPassThroughWithoutThePrefixAndOtherUnknownKeysAreRefused() {
        BrokerConfig config = config(Map.of("table.catalog.property.jdbc.user", "lake"));
        assertThat(config.tableCatalogProperties()).isEqualTo(Map.of("jdbc.user", "lake"));
        assertThatThrownBy(() -> config(Map.of("table.catalog.propertyjdbc.user", "lake")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("table.catalog.propertyjdbc.user");
    }

    @Test
    void aWarehouseOutsideTheObjectStoreIsRefused() throws Exception {
        BrokerConfig config = config(Map.of(BrokerConfig.TABLE_CATALOG_WAREHOUSE, "s3://elsewhere/lake/"));
        try (LocalDirectoryObjectStorage objects = new LocalDirectoryObjectStorage(config.localObjectDir())) {
            assertThatThrownBy(() -> TableCatalogs.catalog(config, objects, dir.resolve("spill")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("table.catalog.warehouse")
                .hasMessageContaining("s3://elsewhere/lake/");
        }
    }

    @Test
    void aJdbcCatalogOpensItsDatabaseAndPlacesTablesUnderTheWarehouse() throws Exception {
        BrokerConfig config = config(Map.of(BrokerConfig.TABLE_CATALOG_TYPE, "jdbc",
            BrokerConfig.TABLE_CATALOG_URI, "jdbc:h2:mem:catalog-config-test;DB_CLOSE_DELAY=-1"));
        try (LocalDirectoryObjectStorage objects = new LocalDirectoryObjectStorage(config.localObjectDir());
             JdbcCatalog catalog = (JdbcCatalog) TableCatalogs.catalog(config, objects, dir.resolve("spill"))) {
            TableIdentifier id = TableIdentifier.of("default", "t");
            Table table = catalog.buildTable(id, new Schema(Types.NestedField.required(1, "id", Types.LongType.get())))
                .create();
            assertThat(table.location()).startsWith(config.localObjectDir().toUri() + "iceberg/warehouse/default/t-");
            assertThat(catalog.loadTable(id).location()).isEqualTo(table.location());
        }
    }

    @Test
    void anUnreachableRestCatalogStopsTheBrokerNamingTheUri() throws Exception {
        BrokerConfig config = config(Map.of(BrokerConfig.TABLE_CATALOG_TYPE, "rest",
            BrokerConfig.TABLE_CATALOG_URI, "http://127.0.0.1:1"));
        try (LocalDirectoryObjectStorage objects = new LocalDirectoryObjectStorage(config.localObjectDir())) {
            assertThatThrownBy(() -> TableCatalogs.catalog(config, objects, dir.resolve("spill")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("table.catalog.uri")
                .hasMessageContaining("http://127.0.0.1:1");
        }
    }
}
