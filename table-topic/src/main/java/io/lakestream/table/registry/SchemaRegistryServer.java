package io.lakestream.table.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.lakestream.table.rest.HttpEndpoint;
import io.lakestream.table.rest.RestCatalogServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confluent's schema registry REST API over a {@link SchemaRegistry}, on the JDK's HTTP server as
 * the Iceberg REST catalog is served ({@link RestCatalogServer}): subjects and versions,
 * schemas by id, global and subject compatibility levels, compatibility tests. Bodies are
 * Confluent's JSON ({@code application/vnd.schemaregistry.v1+json}); errors answer
 * {@code {"error_code": ..., "message": ...}} with Confluent's codes. Schema references, modes,
 * contexts and JSON Schema are not served.
 *
 * <p>Thread-safe: requests run on a small pool of the server's own; the registry is thread-safe.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> API_NAMES = Set.of("subjects", "schemas", "config", "compatibility");

    /** Request latency, tagged with the method, the API (subjects, schemas, config, compatibility) and the status. */
    public static final String REQUEST_LATENCY = "lakestream.schema.registry.request.latency";

    private final SchemaRegistry registry;
    private final MeterRegistry meters;
    private HttpEndpoint endpoint;

    private SchemaRegistryServer(SchemaRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    /** Serves {@code registry} on {@code host:port} (0 picks a free port). */
    public static SchemaRegistryServer start(String host, int port, SchemaRegistry registry, MeterRegistry meters) {
        SchemaRegistryServer rest = new SchemaRegistryServer(registry, meters);
        rest.endpoint = HttpEndpoint.start("schema registry", host, port, Map.of("/", rest::handle));
        return rest;
    }

    public InetSocketAddress address() {
        return endpoint.address();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            long start = System.nanoTime();
            List<String> path = List.of();
            int status = 200;
            Object response;
            try {
                path = segments(rawPath);
                Map<String, String> query = RestCatalogServer.query(exchange.getRequestURI().getRawQuery());
                byte[] body = exchange.getRequestBody().readAllBytes();
                response = route(method, path, query, body);
            } catch (RegistryException e) {
                status = e.status();
                if (status >= 500) {
                    LOG.warn("Schema registry {} {} failed: {}", method, rawPath, e.getMessage(), e.getCause());
                }
                response = error(e.errorCode(), e.getMessage());
            } catch (RuntimeException e) {
                status = 500;
                LOG.warn("Schema registry {} {} failed", method, rawPath, e);
                response = error(50001, "Error in the backend data store: " + e);
            }
            write(exchange, status, response);
            String api = path.isEmpty() || !API_NAMES.contains(path.get(0)) ? "other" : path.get(0);
            Timer.builder(REQUEST_LATENCY).description("Schema registry requests, from receipt to the answer written")
                .tags("method", method, "api", api, "status", String.valueOf(status)).register(meters)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }


    private Object route(String method, List<String> path, Map<String, String> query, byte[] body)
        throws RegistryException {
        boolean deleted = Boolean.parseBoolean(query.get("deleted"));
        boolean permanent = Boolean.parseBoolean(query.get("permanent"));
        String first = path.isEmpty() ? "" : path.get(0);
        int size = path.size();
        switch (first) {
            case "" -> {
                return Map.of();
            }
            case "subjects" -> {
                if (size == 1 && method.equals("GET")) {
                    return registry.subjects(deleted);
                }
                String subject = path.get(1);
                if (size == 2) {
                    switch (method) {
                        case "POST" -> {
                            SchemaRequest request = SchemaRequest.parse(body);
                            return versionBody(registry.lookup(subject, request.type(), request.schema(), deleted));
                        }
                        case "DELETE" -> {
                            return registry.deleteSubject(subject, permanent);
                        }
                        default -> throw notFound(method, path);
                    }
                }
                if (!path.get(2).equals("versions")) {
                    throw notFound(method, path);
                }
                if (size == 3 && method.equals("GET")) {
                    return registry.versions(subject, deleted);
                }
                if (size == 3 && method.equals("POST")) {
                    SchemaRequest request = SchemaRequest.parse(body);
                    SchemaRegistry.SubjectVersion registered = registry.register(subject, request.type(),
                        request.schema());
                    return Map.of("id", registered.id());
                }
                String version = path.get(3);
                if (size == 4 && method.equals("GET")) {
                    return versionBody(registry.version(subject, version, deleted));
                }
                if (size == 4 && method.equals("DELETE")) {
                    return registry.deleteVersion(subject, version, permanent);
                }
                if (size == 5 && method.equals("GET") && path.get(4).equals("schema")) {
                    return new RawSchema(registry.version(subject, version, deleted).schema());
                }
                throw notFound(method, path);
            }
            case "schemas" -> {
                if (size == 2 && path.get(1).equals("types") && method.equals("GET")) {
                    return Arrays.stream(SchemaType.values()).map(Enum::name).toList();
                }
                if (size >= 3 && path.get(1).equals("ids") && method.equals("GET")) {
                    int id = parseId(path.get(2));
                    RegisteredSchema schema = registry.byId(id);
                    if (schema == null) {
                        throw RegistryException.schemaNotFound(String.valueOf(id));
                    }
                    if (size == 3) {
                        Map<String, Object> answer = new LinkedHashMap<>();
                        if (schema.type() != SchemaType.AVRO) {
                            answer.put("schemaType", schema.type().name());
                        }
                        answer.put("schema", schema.schema());
                        return answer;
                    }
                    if (size == 4 && path.get(3).equals("schema")) {
                        return new RawSchema(schema.schema());
                    }
                    if (size == 4 && path.get(3).equals("versions")) {
                        List<Map<String, Object>> uses = new ArrayList<>();
                        for (SchemaRegistry.SubjectVersion use : registry.usesOf(id)) {
                            uses.add(Map.of("subject", use.subject(), "version", use.version()));
                        }
                        return uses;
                    }
                }
                throw notFound(method, path);
            }
            case "config" -> {
                String subject = size == 2 ? path.get(1) : null;
                if (size > 2) {
                    throw notFound(method, path);
                }
                switch (method) {
                    case "GET" -> {
                        CompatibilityLevel level = subject == null ? registry.globalLevel()
                            : registry.subjectLevel(subject, Boolean.parseBoolean(query.get("defaultToGlobal")));
                        return Map.of("compatibilityLevel", level.name());
                    }
                    case "PUT" -> {
                        JsonNode request = parseBody(body);
                        CompatibilityLevel level = CompatibilityLevel.parse(request.path("compatibility").isTextual()
                            ? request.get("compatibility").asText() : null);
                        return Map.of("compatibility", registry.setLevel(subject, level).name());
                    }
                    case "DELETE" -> {
                        if (subject == null) {
                            throw notFound(method, path);
                        }
                        return Map.of("compatibilityLevel", registry.clearLevel(subject).name());
                    }
                    default -> throw notFound(method, path);
                }
            }
            case "compatibility" -> {
                if (size == 5 && method.equals("POST") && path.get(1).equals("subjects")
                    && path.get(3).equals("versions")) {
                    SchemaRequest request = SchemaRequest.parse(body);
                    List<String> messages = registry.testCompatibility(path.get(2), path.get(4), request.type(),
                        request.schema());
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("is_compatible", messages.isEmpty());
                    if (Boolean.parseBoolean(query.get("verbose"))) {
                        answer.put("messages", messages);
                    }
                    return answer;
                }
                throw notFound(method, path);
            }
            default -> throw notFound(method, path);
        }
    }

    /** A schema as {@code /subjects/{s}/versions/{v}} answers it. */
    private static Map<String, Object> versionBody(SchemaRegistry.SubjectVersion version) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subject", version.subject());
        body.put("version", version.version());
        body.put("id", version.id());
        if (version.type() != SchemaType.AVRO) {
            body.put("schemaType", version.type().name());
        }
        body.put("schema", version.schema());
        return body;
    }

    /** The body of a register, lookup or compatibility request: {@code schema}, {@code schemaType}. */
    private record SchemaRequest(SchemaType type, String schema) {
        static SchemaRequest parse(byte[] body) throws RegistryException {
            JsonNode request = parseBody(body);
            JsonNode schema = request.get("schema");
            if (schema == null || !schema.isTextual()) {
                throw RegistryException.invalidSchema("The request has no schema");
            }
            JsonNode references = request.get("references");
            if (references != null && references.isArray() && !references.isEmpty()) {
                throw RegistryException.invalidSchema("Schema references are not supported by this registry");
            }
            JsonNode type = request.get("schemaType");
            return new SchemaRequest(SchemaType.parse(type == null || type.isNull() ? null : type.asText()),
                schema.asText());
        }
    }

    /** A schema's text as the body itself (the .../schema endpoints). */
    private record RawSchema(String text) {}

    private static JsonNode parseBody(byte[] body) throws RegistryException {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw RegistryException.unprocessable("The request body is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw RegistryException.unprocessable("The request body is not JSON: " + e.getMessage());
        }
    }

    private static int parseId(String text) throws RegistryException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw RegistryException.schemaNotFound(text);
        }
    }

    private static RegistryException notFound(String method, List<String> path) {
        return new RegistryException(404, 404, "HTTP 404 Not Found: " + method + " /" + String.join("/", path));
    }

    private static ObjectNode error(int code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("error_code", code);
        error.put("message", message);
        return error;
    }

    /** The decoded segments of a raw path ({@code +} is a plus sign in a path, not a space). */
    private static List<String> segments(String rawPath) throws RegistryException {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                try {
                    segments.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw new RegistryException(404, 404, "HTTP 404 Not Found: the path " + rawPath
                        + " is not URL-encoded correctly");
                }
            }
        }
        return segments;
    }

    private static void write(HttpExchange exchange, int status, Object response) throws IOException {
        byte[] body = response instanceof RawSchema raw ? raw.text().getBytes(StandardCharsets.UTF_8)
            : JSON.writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
