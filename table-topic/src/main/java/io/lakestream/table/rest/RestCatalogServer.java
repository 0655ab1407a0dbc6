package io.lakestream.table.rest;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.rest.RESTSerializers;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's Iceberg REST catalog endpoint ({@code http://host:port/v1/...}), so that Trino,
 * Spark or PyIceberg reach table topics with nothing but the broker and the object store. Each
 * request is routed by {@link RestRoute} to Iceberg's own server-side handlers
 * ({@code CatalogHandlers}) over the catalog; bodies are Iceberg's REST messages, read and
 * written with Iceberg's serializers. Errors answer with Iceberg's {@code ErrorResponse} and the
 * status codes of the REST spec.
 *
 * <p>Thread-safe: requests run on a small pool of the server's own; the catalog is thread-safe.
 */
public final class RestCatalogServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestCatalogServer.class);
    /** Lakestream's own path beside the REST catalog's: the status of the table topics of this broker. */
    public static final String STATUS_PATH = "/lakestream/v1/tables";
    private static final ObjectMapper STATUS_JSON = new ObjectMapper();

    private final RestRoute.Handlers handlers;
    private final ObjectMapper mapper;
    private HttpEndpoint endpoint;

    private RestCatalogServer(RestRoute.Handlers handlers) {
        this.handlers = handlers;
        this.mapper = mapper();
    }

    /**
     * Serves {@code catalog} on {@code host:port} (0 picks a free port).
     *
     * @param config what {@code GET /v1/config} tells clients to use (defaults), e.g. the object
     *     store's endpoint for FileIO clients that read it
     */
    public static <C extends Catalog & SupportsNamespaces> RestCatalogServer start(String host, int port, C catalog,
                                                                                Map<String, String> config) {
        return start(host, port, catalog, config, List::of);
    }

    /**
     * As {@link #start(String, int, Catalog, Map)}, and also serves {@code status} as JSON at
     * {@value #STATUS_PATH}: what this broker's table topics look like (the tables CLI reads it).
     */
    public static <C extends Catalog & SupportsNamespaces> RestCatalogServer start(String host, int port, C catalog,
                                                                                Map<String, String> config,
                                                                                Supplier<List<?>> status) {
        return start(host, port, catalog, catalog, config, status);
    }

    /** As above, for a catalog known only as a {@link Catalog} and its namespaces as another view of it. */
    public static RestCatalogServer start(String host, int port, Catalog catalog, SupportsNamespaces namespaces,
                                          Map<String, String> config, Supplier<List<?>> status) {
        RestCatalogServer rest = new RestCatalogServer(new RestRoute.Handlers(catalog, namespaces, config));
        // A context per path: the longest prefix that matches serves the request.
        rest.endpoint = HttpEndpoint.start("Iceberg REST catalog", host, port, Map.of(
            "/", rest::handle,
            STATUS_PATH, exchange -> rest.serveStatus(exchange, status)));
        return rest;
    }

    /** Iceberg's REST JSON conventions: kebab-case names, unknown fields ignored, its serializers. */
    static ObjectMapper mapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
        RESTSerializers.registerAll(mapper);
        return mapper;
    }

    public InetSocketAddress address() {
        return endpoint.address();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            int status;
            Object response;
            try {
                RestRoute.Match match = RestRoute.match(method, path);
                if (match == null) {
                    status = 404;
                    response = error(404, "NoSuchRouteException", "No route for " + method + " " + path);
                } else {
                    Object body = match.route().requestClass() == null ? null
                        : readBody(exchange.getRequestBody(), match.route().requestClass());
                    response = handlers.handle(match, query, body);
                    status = response == null ? 204 : 200;
                }
            } catch (Exception e) {
                status = RestErrors.statusOf(e);
                if (status >= 500) {
                    LOG.warn("Iceberg REST {} {} failed", method, path, e);
                }
                response = error(status, e.getClass().getSimpleName(),
                    e.getMessage() != null ? e.getMessage() : e.toString());
            }
            write(exchange, status, method.equals("HEAD") ? null : response);
        }
    }

    private void serveStatus(HttpExchange exchange, Supplier<List<?>> status) throws IOException {
        try (exchange) {
            byte[] body = STATUS_JSON.writeValueAsBytes(status.get());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private Object readBody(InputStream in, Class<?> type) throws IOException {
        try {
            return mapper.readValue(in.readAllBytes(), type);
        } catch (IOException e) {
            throw new IllegalArgumentException("Malformed request body: " + e.getMessage(), e);
        }
    }

    private void write(HttpExchange exchange, int status, Object response) throws IOException {
        if (response == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] body = mapper.writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static ErrorResponse error(int status, String type, String message) {
        return ErrorResponse.builder().responseCode(status).withType(type).withMessage(message).build();
    }

    /** The parameters of a raw (URL-encoded) query string; for this server and the schema registry's. */
    public static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
