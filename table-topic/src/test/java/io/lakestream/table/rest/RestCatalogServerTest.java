package io.lakestream.table.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.testing.TableStores.Kind;
import io.lakestream.table.testing.TableStores.Store;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Iceberg's own REST client against the broker's endpoint over a real catalog on s3proxy. */
class RestCatalogServerTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();

    private static final Schema SCHEMA = new Schema(
        Types.NestedField.optional(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "name", Types.StringType.get()));

    @TempDir
    Path dir;

    @Test
    void icebergsRestClientManagesNamespacesAndTablesThroughTheEndpoint() throws Exception {
        try (Store store = TableStores.open(Kind.S3, dir, S3)) {
            ObjectStoreCatalog server = store.catalog("rest-" + UUID.randomUUID() + "/");
            try (RestCatalogServer rest = RestCatalogServer.start("127.0.0.1", 0, server, Map.of("s3.path-style-access",
                "true")); RESTCatalog client = client(rest)) {
                client.createNamespace(Namespace.of("lake"), new java.util.HashMap<>(Map.of("owner", "tests")));
                client.createNamespace(Namespace.of("lake", "raw"));
                assertThat(client.listNamespaces()).containsExactly(Namespace.of("lake"));
                assertThat(client.listNamespaces(Namespace.of("lake"))).containsExactly(Namespace.of("lake", "raw"));
                assertThat(client.loadNamespaceMetadata(Namespace.of("lake"))).containsEntry("owner", "tests");

                TableIdentifier id = TableIdentifier.of(Namespace.of("lake", "raw"), "events");
                Table created = client.createTable(id, SCHEMA, PartitionSpec.unpartitioned());
                assertThatThrownBy(() -> client.createTable(id, SCHEMA)).isInstanceOf(AlreadyExistsException.class);
                assertThat(client.listTables(Namespace.of("lake", "raw"))).containsExactly(id);
                created.updateSchema().addColumn("color", Types.StringType.get()).commit();
                created.updateProperties().set("k", "v").commit();

                Table seenByServer = server.loadTable(id);
                assertThat(seenByServer.schema().findField("color")).isNotNull();
                assertThat(seenByServer.properties()).containsEntry("k", "v");
                assertThat(client.loadTable(id).location()).isEqualTo(seenByServer.location());
                assertThat(client.tableExists(TableIdentifier.of("lake", "nope"))).isFalse();

                client.renameTable(id, TableIdentifier.of("lake", "events"));
                assertThat(client.tableExists(id)).isFalse();
                assertThat(client.dropTable(TableIdentifier.of("lake", "events"), false)).isTrue();
                assertThatThrownBy(() -> client.loadTable(TableIdentifier.of("lake", "events")))
                    .isInstanceOf(NoSuchTableException.class);
                assertThat(client.dropNamespace(Namespace.of("lake", "raw"))).isTrue();
            }
        }
    }

    @Test
    void unknownRoutesAndMissingTablesAnswerWithIcebergErrorResponses() throws Exception {
        try (Store store = TableStores.open(Kind.LOCAL, dir, S3)) {
            ObjectStoreCatalog server = store.catalog("rest-" + UUID.randomUUID() + "/");
            try (RestCatalogServer rest = RestCatalogServer.start("127.0.0.1", 0, server, Map.of())) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + rest.address().getPort();
                HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v1/namespaces/nope/tables/t")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(missing.body()).contains("\"code\":404", "NoSuchTableException");

                HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/whatever"))
                    .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unknown.statusCode()).isEqualTo(404);

                HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/config"))
                    .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(config.body()).contains("GET /v1/{prefix}/namespaces/{namespace}/tables/{table}")
                    .doesNotContain("views");
            }
        }
    }

    private static RESTCatalog client(RestCatalogServer rest) throws IOException {
        RESTCatalog client = new RESTCatalog();
        client.initialize("lake", Map.of("uri", "http://127.0.0.1:" + rest.address().getPort()));
        return client;
    }
}
