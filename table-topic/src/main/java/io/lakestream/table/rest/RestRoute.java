package io.lakestream.table.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties.SnapshotMode;
import org.apache.iceberg.rest.RESTUtil;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.ReportMetricsRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.ConfigResponse;

/**
 * The Iceberg REST endpoints this catalog serves, each a method and a path pattern of the
 * REST spec (no {@code {prefix}}: the config response names none). Views and multi-table
 * transactions are not served, and {@code GET /v1/config} does not list them, so clients do
 * not call them. Stateless.
 */
enum RestRoute {
    CONFIG("GET", "v1/config", null),
    LIST_NAMESPACES("GET", "v1/namespaces", null),
    CREATE_NAMESPACE("POST", "v1/namespaces", CreateNamespaceRequest.class),
    NAMESPACE_EXISTS("HEAD", "v1/namespaces/{namespace}", null),
    LOAD_NAMESPACE("GET", "v1/namespaces/{namespace}", null),
    DROP_NAMESPACE("DELETE", "v1/namespaces/{namespace}", null),
    UPDATE_NAMESPACE("POST", "v1/namespaces/{namespace}/properties", UpdateNamespacePropertiesRequest.class),
    LIST_TABLES("GET", "v1/namespaces/{namespace}/tables", null),
    CREATE_TABLE("POST", "v1/namespaces/{namespace}/tables", CreateTableRequest.class),
    REGISTER_TABLE("POST", "v1/namespaces/{namespace}/register", RegisterTableRequest.class),
    TABLE_EXISTS("HEAD", "v1/namespaces/{namespace}/tables/{table}", null),
    LOAD_TABLE("GET", "v1/namespaces/{namespace}/tables/{table}", null),
    UPDATE_TABLE("POST", "v1/namespaces/{namespace}/tables/{table}", UpdateTableRequest.class),
    DROP_TABLE("DELETE", "v1/namespaces/{namespace}/tables/{table}", null),
    REPORT_METRICS("POST", "v1/namespaces/{namespace}/tables/{table}/metrics", ReportMetricsRequest.class),
    RENAME_TABLE("POST", "v1/tables/rename", RenameTableRequest.class);

    /** How clients join namespace levels in a path segment unless the config says otherwise (unit separator). */
    private static final String NAMESPACE_SEPARATOR = "%1F";

    private final String method;
    private final String[] parts;
    private final Class<?> requestClass;

    RestRoute(String method, String pattern, Class<?> requestClass) {
        this.method = method;
        this.parts = pattern.split("/");
        this.requestClass = requestClass;
    }

    Class<?> requestClass() {
        return requestClass;
    }

    /** The endpoint as the spec names it, for the config response. */
    Endpoint endpoint() {
        return Endpoint.create(method, "/" + String.join("/", parts).replace("v1/", "v1/{prefix}/")
            .replace("v1/{prefix}/config", "v1/config"));
    }

    /** A matched request: its route and the decoded namespace and table name, where the path has them. */
    record Match(RestRoute route, Namespace namespace, String table) {
        TableIdentifier identifier() {
            return TableIdentifier.of(namespace, table);
        }
    }

    /** The route of a request, or null; {@code rawPath} is still URL-encoded. */
    static Match match(String method, String rawPath) {
        String[] request = (rawPath.startsWith("/") ? rawPath.substring(1) : rawPath).split("/");
        for (RestRoute route : values()) {
            if (!route.method.equals(method.toUpperCase(Locale.ROOT)) || route.parts.length != request.length) {
                continue;
            }
            Namespace namespace = null;
            String table = null;
            boolean matches = true;
            for (int i = 0; i < request.length && matches; i++) {
                switch (route.parts[i]) {
                    case "{namespace}" -> namespace = RESTUtil.decodeNamespaceAsPathSegment(request[i], NAMESPACE_SEPARATOR);
                    case "{table}" -> table = RESTUtil.decodePathSegment(request[i]);
                    default -> matches = route.parts[i].equals(request[i]);
                }
            }
            if (matches) {
                return new Match(route, namespace, table);
            }
        }
        return null;
    }

    /** Runs matched requests against one catalog with Iceberg's {@link CatalogHandlers}. Thread-safe. */
    static final class Handlers {
        private final Catalog catalog;
        private final SupportsNamespaces namespaces;
        private final Map<String, String> config;

        Handlers(Catalog catalog, SupportsNamespaces namespaces, Map<String, String> config) {
            this.catalog = catalog;
            this.namespaces = namespaces;
            this.config = new java.util.HashMap<>(config);
        }

        /** The response body, or null for 204 No Content. */
        Object handle(Match match, Map<String, String> query, Object body) {
            return switch (match.route()) {
                case CONFIG -> config();
                case LIST_NAMESPACES -> {
                    Namespace parent = query.containsKey("parent")
                        ? RESTUtil.namespaceFromQueryParam(query.get("parent")) : Namespace.empty();
                    yield query.containsKey("pageSize")
                        ? CatalogHandlers.listNamespaces(namespaces, parent, query.get("pageToken"), query.get("pageSize"))
                        : CatalogHandlers.listNamespaces(namespaces, parent);
                }
                case CREATE_NAMESPACE -> CatalogHandlers.createNamespace(namespaces, (CreateNamespaceRequest) body);
                case NAMESPACE_EXISTS -> {
                    CatalogHandlers.namespaceExists(namespaces, match.namespace());
                    yield null;
                }
                case LOAD_NAMESPACE -> CatalogHandlers.loadNamespace(namespaces, match.namespace());
                case DROP_NAMESPACE -> {
                    CatalogHandlers.dropNamespace(namespaces, match.namespace());
                    yield null;
                }
                case UPDATE_NAMESPACE -> CatalogHandlers.updateNamespaceProperties(namespaces, match.namespace(),
                    (UpdateNamespacePropertiesRequest) body);
                case LIST_TABLES -> query.containsKey("pageSize")
                    ? CatalogHandlers.listTables(catalog, match.namespace(), query.get("pageToken"), query.get("pageSize"))
                    : CatalogHandlers.listTables(catalog, match.namespace());
                case CREATE_TABLE -> {
                    CreateTableRequest request = (CreateTableRequest) body;
                    request.validate();
                    yield request.stageCreate()
                        ? CatalogHandlers.stageTableCreate(catalog, match.namespace(), request)
                        : CatalogHandlers.createTable(catalog, match.namespace(), request);
                }
                case REGISTER_TABLE -> CatalogHandlers.registerTable(catalog, match.namespace(),
                    (RegisterTableRequest) body);
                case TABLE_EXISTS -> {
                    CatalogHandlers.tableExists(catalog, match.identifier());
                    yield null;
                }
                case LOAD_TABLE -> CatalogHandlers.loadTable(catalog, match.identifier(),
                    "refs".equalsIgnoreCase(query.get("snapshots")) ? SnapshotMode.REFS : SnapshotMode.ALL);
                case UPDATE_TABLE -> CatalogHandlers.updateTable(catalog, match.identifier(), (UpdateTableRequest) body);
                case DROP_TABLE -> {
                    if (Boolean.parseBoolean(query.get("purgeRequested"))) {
                        CatalogHandlers.purgeTable(catalog, match.identifier());
                    } else {
                        CatalogHandlers.dropTable(catalog, match.identifier());
                    }
                    yield null;
                }
                case REPORT_METRICS -> null;
                case RENAME_TABLE -> {
                    CatalogHandlers.renameTable(catalog, (RenameTableRequest) body);
                    yield null;
                }
            };
        }

        private ConfigResponse config() {
            List<Endpoint> endpoints = new ArrayList<>();
            for (RestRoute route : values()) {
                if (route != CONFIG) {
                    endpoints.add(route.endpoint());
                }
            }
            return ConfigResponse.builder().withDefaults(config).withEndpoints(endpoints).build();
        }
    }
}
