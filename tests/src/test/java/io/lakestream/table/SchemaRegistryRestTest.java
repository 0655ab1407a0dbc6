package io.lakestream.table;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakestream.broker.LakestreamProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema registry's Confluent REST API on a real server process: registration and its
 * idempotency, versions, lookup, schemas by id, compatibility levels (a BACKWARD-incompatible
 * schema refused with 409, accepted under NONE), soft and permanent deletes, Confluent's error
 * codes, and schemas and ids that survive a restart.
 */
class SchemaRegistryRestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";
    /** V1 and a field with a default: BACKWARD compatible. */
    private static final String V2 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"}]}";
    /** V2 and a field without a default: not BACKWARD compatible (old data has no value for it). */
    private static final String V3 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"},{\"name\":\"size\",\"type\":\"int\"}]}";
    private static final String PROTO = "syntax = \"proto3\";\npackage shop;\n\nmessage Order {\n  int64 id = 1;\n}\n";

    @TempDir
    Path dir;
    private LakestreamProcess server;
    private final HttpClient http = HttpClient.newHttpClient();
    private int registryPort;

    private LakestreamProcess secondBroker;

    @AfterEach
    void stop() throws Exception {
        if (secondBroker != null) {
            secondBroker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, controllerPort, "schema.registry.port=" + registryPort);
    }

    private int controllerPort;

    /** A response: status and JSON body. */
    private record Answer(int status, JsonNode body, String text) {
        int errorCode() {
            return body.path("error_code").asInt();
        }
    }

    private Answer call(String method, String path, Object body) throws Exception {
        return call(registryPort, method, path, body);
    }

    private Answer call(int port, String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", CONTENT_TYPE)
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.headers().firstValue("Content-Type")).as("content type of %s %s", method, path)
            .contains(CONTENT_TYPE);
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (Exception e) {
            json = JSON.nullNode();
        }
        return new Answer(response.statusCode(), json, response.body());
    }

    private static ObjectNode schema(String text) {
        return JSON.createObjectNode().put("schema", text);
    }

    private Answer ok(String method, String path, Object body) throws Exception {
        Answer answer = call(method, path, body);
        assertThat(answer.status()).as("%s %s: %s", method, path, answer.text()).isEqualTo(200);
        return answer;
    }

    private void assertError(Answer answer, int status, int code) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(status);
        assertThat(answer.errorCode()).as(answer.text()).isEqualTo(code);
        assertThat(answer.body().path("message").asText()).isNotEmpty();
    }

    @Test
    void confluentApiRegistersChecksDeletesAndKeepsSchemasAcrossARestart() throws Exception {
        registryPort = LakestreamProcess.freePort();
        controllerPort = LakestreamProcess.freePort();
        start();
        String versions = "/subjects/orders-value/versions";

        int id1 = ok("POST", versions, schema(V1)).body().get("id").asInt();
        assertThat(ok("POST", versions, schema(V1.replace(",", " , "))).body().get("id").asInt())
            .as("the same schema again, other whitespace").isEqualTo(id1);
        int id2 = ok("POST", versions, schema(V2)).body().get("id").asInt();
        assertThat(id2).isGreaterThan(id1);
        assertThat(ok("GET", "/subjects", null).body()).containsExactly(JSON.valueToTree("orders-value"));
        assertThat(ok("GET", versions, null).body().toString()).isEqualTo("[1,2]");

        JsonNode latest = ok("GET", versions + "/latest", null).body();
        assertThat(latest.get("subject").asText()).isEqualTo("orders-value");
        assertThat(latest.get("version").asInt()).isEqualTo(2);
        assertThat(latest.get("id").asInt()).isEqualTo(id2);
        assertThat(JSON.readTree(latest.get("schema").asText())).isEqualTo(JSON.readTree(V2));
        assertThat(JSON.readTree(ok("GET", versions + "/1/schema", null).text())).isEqualTo(JSON.readTree(V1));
        JsonNode found = ok("POST", "/subjects/orders-value", schema(V1)).body();
        assertThat(found.get("version").asInt()).as("lookup").isEqualTo(1);
        assertThat(found.get("id").asInt()).isEqualTo(id1);
        assertThat(JSON.readTree(ok("GET", "/schemas/ids/" + id1, null).body().get("schema").asText()))
            .isEqualTo(JSON.readTree(V1));
        assertThat(JSON.readTree(ok("GET", "/schemas/ids/" + id2 + "/schema", null).text())).isEqualTo(JSON.readTree(V2));
        assertThat(ok("GET", "/schemas/types", null).body().toString()).isEqualTo("[\"AVRO\",\"PROTOBUF\"]");

        assertError(call("GET", "/subjects/nobody/versions", null), 404, 40401);
        assertError(call("GET", "/no/such/route", null), 404, 404);
        assertThat(ok("POST", "/subjects/a%2Fb%20c/versions", schema(V1)).body().get("id").asInt())
            .as("an encoded subject name").isEqualTo(id1);
        assertThat(ok("GET", "/subjects/a%2Fb%20c/versions/1", null).body().get("subject").asText()).isEqualTo("a/b c");
        ok("DELETE", "/subjects/a%2Fb%20c", null);
        ok("DELETE", "/subjects/a%2Fb%20c?permanent=true", null);
        assertError(call("GET", versions + "/7", null), 404, 40402);
        assertError(call("GET", "/schemas/ids/9999", null), 404, 40403);
        assertError(call("POST", "/subjects/orders-value", schema(V3)), 404, 40403);
        assertError(call("GET", versions + "/abc", null), 422, 42202);
        assertError(call("POST", versions, schema("{\"type\": \"record\"}")), 422, 42201);
        assertError(call("PUT", "/config", JSON.createObjectNode().put("compatibility", "SIDEWAYS")), 422, 42203);

        // BACKWARD (the default): V3 is refused; NONE for the subject lets it in.
        assertThat(ok("GET", "/config", null).body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        assertThat(ok("POST", "/compatibility/subjects/orders-value/versions/latest", schema(V3)).body()
            .get("is_compatible").asBoolean()).isFalse();
        assertThat(ok("POST", "/compatibility/subjects/orders-value/versions/latest", schema(V2)).body()
            .get("is_compatible").asBoolean()).isTrue();
        assertError(call("POST", versions, schema(V3)), 409, 409);
        assertError(call("GET", "/config/orders-value", null), 404, 40408);
        assertThat(ok("PUT", "/config/orders-value", JSON.createObjectNode().put("compatibility", "NONE")).body()
            .get("compatibility").asText()).isEqualTo("NONE");
        assertThat(ok("GET", "/config/orders-value", null).body().get("compatibilityLevel").asText()).isEqualTo("NONE");
        int id3 = ok("POST", versions, schema(V3)).body().get("id").asInt();
        assertThat(id3).isGreaterThan(id2);

        // Soft delete, then permanent; a permanent delete needs the soft one first.
        assertThat(ok("DELETE", versions + "/3", null).body().asInt()).isEqualTo(3);
        assertThat(ok("GET", versions, null).body().toString()).isEqualTo("[1,2]");
        assertThat(ok("GET", versions + "?deleted=true", null).body().toString()).isEqualTo("[1,2,3]");
        assertError(call("DELETE", versions + "/2?permanent=true", null), 404, 40407);
        assertThat(ok("DELETE", versions + "/3?permanent=true", null).body().asInt()).isEqualTo(3);
        assertThat(ok("GET", versions + "?deleted=true", null).body().toString()).isEqualTo("[1,2]");
        assertThat(ok("DELETE", "/subjects/orders-value", null).body().toString()).isEqualTo("[1,2]");
        assertThat(ok("GET", "/subjects", null).body()).isEmpty();
        assertThat(ok("GET", "/subjects?deleted=true", null).body().toString()).isEqualTo("[\"orders-value\"]");
        assertThat(ok("GET", "/schemas/ids/" + id1, null).body().has("schema"))
            .as("a soft-deleted version's schema is still found by id").isTrue();

        int protoId = ok("POST", "/subjects/shop-value/versions",
            schema(PROTO).put("schemaType", "PROTOBUF")).body().get("id").asInt();
        assertThat(ok("GET", "/subjects/shop-value/versions/1", null).body().get("schemaType").asText())
            .isEqualTo("PROTOBUF");

        String metrics = http.send(HttpRequest.newBuilder(server.metricsUrl()).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics.lines().filter(line -> line.startsWith("lakestream_schema_registry_request_latency_seconds_count")
            && line.contains("api=\"subjects\"") && line.contains("method=\"POST\"") && line.contains("status=\"409\"")))
            .as("the refused registration in the request metrics").hasSize(1);

        server.stopCleanly();
        start();

        assertThat(ok("GET", "/subjects", null).body().toString()).isEqualTo("[\"shop-value\"]");
        assertThat(ok("GET", "/subjects?deleted=true", null).body().toString())
            .isEqualTo("[\"orders-value\",\"shop-value\"]");
        assertThat(JSON.readTree(ok("GET", "/schemas/ids/" + id2, null).body().get("schema").asText()))
            .as("after the restart").isEqualTo(JSON.readTree(V2));
        assertThat(ok("GET", "/schemas/ids/" + protoId, null).body().get("schemaType").asText()).isEqualTo("PROTOBUF");
        assertThat(ok("GET", "/config/orders-value", null).body().get("compatibilityLevel").asText()).isEqualTo("NONE");
        String v4 = V1.replace("\"Order\"", "\"Order\",\"doc\":\"four\"");
        int id4 = ok("POST", "/subjects/other-value/versions", schema(v4)).body().get("id").asInt();
        assertThat(id4).as("a new schema after the restart gets a new id").isGreaterThan(protoId)
            .isNotIn(List.of(id1, id2, id3, protoId));
    }

    /**
     * Two brokers of one cluster (the second with no controller of its own): a schema registered
     * through either is found through the other, and schemas registered through both at once get
     * distinct ids.
     */
    @Test
    void brokersOfOneClusterShareTheRegistryAndItsIds() throws Exception {
        registryPort = LakestreamProcess.freePort();
        controllerPort = LakestreamProcess.freePort();
        int secondPort = LakestreamProcess.freePort();
        String objects = "object.store.local.dir=" + dir.resolve("objects");
        server = LakestreamProcess.start(dir.resolve("data"), 0, controllerPort, "schema.registry.port=" + registryPort,
            objects);
        secondBroker = LakestreamProcess.start(dir.resolve("data-2"), 0, controllerPort, "process.roles=broker",
            "node.id=2", "schema.registry.port=" + secondPort, objects);

        Answer first = call(registryPort, "POST", "/subjects/a-value/versions", schema(V1));
        assertThat(first.status()).as(first.text()).isEqualTo(200);
        int id = first.body().get("id").asInt();
        Answer seen = call(secondPort, "GET", "/schemas/ids/" + id, null);
        assertThat(seen.status()).as("the other broker finds it: " + seen.text()).isEqualTo(200);
        assertThat(call(secondPort, "POST", "/subjects/b-value/versions", schema(V1)).body().get("id").asInt())
            .as("the same schema in another subject, through the other broker").isEqualTo(id);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int port = i % 2 == 0 ? registryPort : secondPort;
                String text = V1.replace("\"Order\"", "\"Order\",\"doc\":\"d" + i + "\"");
                answers.add(pool.submit(() -> call(port, "POST", "/subjects/c-value/versions", schema(text))));
            }
            Set<Integer> ids = new HashSet<>();
            for (Future<Answer> answer : answers) {
                assertThat(answer.get().status()).as(answer.get().text()).isEqualTo(200);
                ids.add(answer.get().body().get("id").asInt());
            }
            assertThat(ids).as("20 distinct schemas through two brokers at once").hasSize(20).doesNotContain(id);
        } finally {
            pool.shutdownNow();
        }
        assertThat(call(registryPort, "GET", "/subjects/c-value/versions", null).body())
            .isEqualTo(call(secondPort, "GET", "/subjects/c-value/versions", null).body()).hasSize(20);
    }
}
