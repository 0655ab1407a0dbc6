package io.lakestream.table;

import static io.lakestream.table.ExternalCatalogTables.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table topic whose table Iceberg's JDBC catalog keeps, in an H2 database served over TCP
 * (table.catalog.type=jdbc): a real server process writes the files into its own object store
 * and the table pointer into the database, and the test opens the same database with Iceberg's
 * {@link JdbcCatalog} and reads the rows back. 10,000 records must be there exactly once, and
 * 10,000 more after the broker is killed and restarted.
 */
class JdbcCatalogTableTopicTest {
    private static final int RECORDS = 10_000;

    @TempDir
    Path dir;
    private Server database;
    private LakestreamProcess server;
    private JdbcCatalog catalog;
    private LocalDirectoryObjectStorage objects;

    @AfterEach
    void stop() throws Exception {
        if (catalog != null) {
            catalog.close();
        }
        if (objects != null) {
            objects.close();
        }
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    @Test
    void tableKeptInAJdbcCatalogHoldsEveryRecordExactlyOnceAcrossARestart() throws Exception {
        database = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.resolve("h2").toString(), "-ifNotExists")
            .start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + database.getPort() + "/iceberg";
        Path data = dir.resolve("data");
        String[] overrides = {"table.catalog.type=jdbc", "table.catalog.uri=" + url,
            "table.catalog.property.jdbc.user=lake", "table.catalog.property.jdbc.password=lake-secret"};
        int port = LakestreamProcess.freePort();
        int controllerPort = LakestreamProcess.freePort();
        server = LakestreamProcess.start(data, port, controllerPort, overrides);
        ExternalCatalogTables.createTableTopic(server);
        ExternalCatalogTables.produce(server, 0, RECORDS);

        // The test's own catalog over the same database; files read straight from the broker's object directory.
        objects = new LocalDirectoryObjectStorage(data.resolve("objects"));
        String root = data.resolve("objects").toUri().toString();
        ObjectStoreFileIO io = new ObjectStoreFileIO(objects, new ObjectLocations(root), dir.resolve("spill"));
        catalog = new JdbcCatalog(properties -> io, null, false);
        catalog.initialize("lakestream", Map.of(CatalogProperties.URI, url, CatalogProperties.WAREHOUSE_LOCATION, root,
            "jdbc.user", "lake", "jdbc.password", "lake-secret"));
        TableIdentifier id = TableIdentifier.of("default", TOPIC);
        ExternalCatalogTables.assertHoldsExactly(() -> catalog.loadTable(id), server, RECORDS);

        Table table = catalog.loadTable(id);
        assertThat(table.location()).as("the table's files are in the broker's object store, under the warehouse")
            .startsWith(root + "iceberg/warehouse/default/" + TOPIC + "-");
        try (Connection connection = DriverManager.getConnection(url, "lake", "lake-secret");
             ResultSet row = connection.createStatement().executeQuery(
                 "SELECT catalog_name, table_namespace, metadata_location FROM iceberg_tables")) {
            assertThat(row.next()).as("a row in iceberg_tables").isTrue();
            assertThat(row.getString(1) + " " + row.getString(2)).isEqualTo("lakestream default");
            assertThat(row.getString(3)).as("the database points at the table's current metadata")
                .isEqualTo(((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation());
        }

        server.kill();
        server = LakestreamProcess.start(data, port, controllerPort, overrides);
        ExternalCatalogTables.produce(server, RECORDS, 2L * RECORDS);
        ExternalCatalogTables.assertHoldsExactly(() -> catalog.loadTable(id), server, 2L * RECORDS);
    }
}
