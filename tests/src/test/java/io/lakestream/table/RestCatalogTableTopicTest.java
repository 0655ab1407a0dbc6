package io.lakestream.table;

import static io.lakestream.table.ExternalCatalogTables.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.LakestreamProcess;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import io.lakestream.table.rest.RestCatalogServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SessionCatalog.SessionContext;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.rest.HTTPClient;
import org.apache.iceberg.rest.RESTSessionCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table topic whose table an external Iceberg REST catalog keeps (table.catalog.type=rest):
 * the catalog server is Lakestream's REST endpoint run in the test over a catalog of its own
 * (its entries under {@code external-catalog/}), reaching the broker's object directory, where
 * it writes the metadata files while the broker writes the data files and manifests. The test
 * reads the rows back with Iceberg's REST client, and while the second 10,000 records are
 * ingested it commits empty snapshots of its own through the same server, so that the
 * broker's commits meet conflicts (HTTP 409) and must retry without losing or repeating a row.
 */
class RestCatalogTableTopicTest {
    private static final int RECORDS = 10_000;

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private RestCatalogServer rest;
    private RESTSessionCatalog client;
    private LocalDirectoryObjectStorage objects;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (rest != null) {
            rest.close();
        }
        if (objects != null) {
            objects.close();
        }
    }

    @Test
    void tableKeptInARestCatalogHoldsEveryRecordExactlyOnceThroughCommitConflicts() throws Exception {
        Path data = dir.resolve("data");
        Path objectDir = Files.createDirectories(data.resolve("objects")); // a directory's URI ends with '/'
        String root = objectDir.toUri().toString();
        objects = new LocalDirectoryObjectStorage(objectDir);
        ObjectStoreFileIO io = new ObjectStoreFileIO(objects, new ObjectLocations(root), dir.resolve("spill"));
        ObjectStoreCatalog external = new ObjectStoreCatalog("external", objects, io, "external-catalog/catalog/",
            "external-catalog/warehouse/");
        rest = RestCatalogServer.start("127.0.0.1", 0, external, Map.of());
        String uri = "http://127.0.0.1:" + rest.address().getPort();

        server = LakestreamProcess.start(data, 0, 0, "table.catalog.type=rest", "table.catalog.uri=" + uri,
            "table.catalog.warehouse=" + root + "lake/", "table.catalog.property.header.X-Client=lakestream");
        ExternalCatalogTables.createTableTopic(server);
        ExternalCatalogTables.produce(server, 0, RECORDS);

        client = new RESTSessionCatalog(config -> HTTPClient.builder(config).uri(config.get(CatalogProperties.URI))
            .build(), (context, config) -> io);
        client.initialize("reader", Map.of(CatalogProperties.URI, uri));
        Catalog catalog = client.asCatalog(SessionContext.createEmpty());
        TableIdentifier id = TableIdentifier.of("default", TOPIC);
        ExternalCatalogTables.assertHoldsExactly(() -> catalog.loadTable(id), server, RECORDS);
        assertThat(catalog.loadTable(id).location()).as("the table is under table.catalog.warehouse")
            .startsWith(root + "lake/default/" + TOPIC + "-");

        AtomicBoolean interfering = new AtomicBoolean(true);
        AtomicInteger ours = new AtomicInteger();
        Thread interferer = new Thread(() -> {
            for (int i = 0; i < 200 && interfering.get(); i++) {
                try {
                    catalog.loadTable(id).newFastAppend().commit(); // an empty snapshot, no offsets
                    ours.incrementAndGet();
                } catch (CommitFailedException lost) {
                    // the broker committed first; try again
                }
            }
        }, "interfering-committer");
        interferer.start();
        try {
            ExternalCatalogTables.produce(server, RECORDS, 2L * RECORDS);
        } finally {
            interfering.set(false);
            interferer.join();
        }
        assertThat(ours.get()).as("empty snapshots committed beside the broker's").isPositive();
        ExternalCatalogTables.assertHoldsExactly(() -> catalog.loadTable(id), server, 2L * RECORDS);
        System.out.printf("RestCatalogTableTopicTest: %d empty snapshots committed beside the broker's%n", ours.get());
    }
}
