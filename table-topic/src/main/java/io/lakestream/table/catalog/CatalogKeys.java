package io.lakestream.table.catalog;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Where {@link ObjectStoreCatalog} keeps its entries, under its key prefix:
 *
 * <pre>
 * namespaces/&lt;ns&gt;.json                          a namespace and its properties (JSON object)
 * tables/&lt;ns&gt;/&lt;table&gt;/&lt;version&gt;.metadata.json   every kept version of a table's metadata;
 *                                               the highest version is the current one
 * </pre>
 *
 * {@code <ns>} is the namespace's levels, each URL-encoded with {@code .} encoded too, joined
 * by {@code .}; {@code <table>} is the URL-encoded name; {@code <version>} has ten digits, so
 * that key order is version order. The table files (data, manifests) live at the table's
 * location, not here: listing a namespace never lists data. Stateless.
 */
final class CatalogKeys {
    static final String METADATA_SUFFIX = ".metadata.json";
    private static final String NAMESPACES = "namespaces/";
    private static final String TABLES = "tables/";
    private static final String NAMESPACE_SUFFIX = ".json";

    private final String prefix;

    /** @param prefix the catalog's key prefix, empty or ending with {@code /} */
    CatalogKeys(String prefix) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("A catalog key prefix ends with '/', not '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    String namespacesPrefix() {
        return prefix + NAMESPACES;
    }

    String namespace(Namespace namespace) {
        return namespacesPrefix() + encode(namespace) + NAMESPACE_SUFFIX;
    }

    /** The namespace a key under {@link #namespacesPrefix()} stands for. */
    Optional<Namespace> namespaceOf(String key) {
        if (!key.startsWith(namespacesPrefix()) || !key.endsWith(NAMESPACE_SUFFIX)) {
            return Optional.empty();
        }
        String encoded = key.substring(namespacesPrefix().length(), key.length() - NAMESPACE_SUFFIX.length());
        return encoded.contains("/") ? Optional.empty() : Optional.of(decodeNamespace(encoded));
    }

    String tablesPrefix(Namespace namespace) {
        return prefix + TABLES + encode(namespace) + "/";
    }

    String tablePrefix(TableIdentifier table) {
        return tablesPrefix(table.namespace()) + encodeLevel(table.name()) + "/";
    }

    String version(TableIdentifier table, long version) {
        return tablePrefix(table) + String.format(Locale.ROOT, "%010d", version) + METADATA_SUFFIX;
    }

    /** The table whose metadata version a key under {@link #tablesPrefix} is, if it is one. */
    Optional<TableIdentifier> tableOf(Namespace namespace, String key) {
        String rest = key.substring(tablesPrefix(namespace).length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || !rest.endsWith(METADATA_SUFFIX) || rest.indexOf('/', slash + 1) >= 0) {
            return Optional.empty();
        }
        return Optional.of(TableIdentifier.of(namespace, decodeLevel(rest.substring(0, slash))));
    }

    /** The version of a metadata key, or -1 if the key is not one. */
    static long versionOf(String key) {
        int start = key.lastIndexOf('/') + 1;
        if (!key.endsWith(METADATA_SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(key.substring(start, key.length() - METADATA_SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String encode(Namespace namespace) {
        List<String> levels = new ArrayList<>();
        for (String level : namespace.levels()) {
            levels.add(encodeLevel(level));
        }
        return String.join(".", levels);
    }

    private static Namespace decodeNamespace(String encoded) {
        if (encoded.isEmpty()) {
            return Namespace.empty();
        }
        String[] levels = encoded.split("\\.", -1);
        for (int i = 0; i < levels.length; i++) {
            levels[i] = decodeLevel(levels[i]);
        }
        return Namespace.of(levels);
    }

    private static String encodeLevel(String level) {
        return URLEncoder.encode(level, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A");
    }

    private static String decodeLevel(String level) {
        return URLDecoder.decode(level, StandardCharsets.UTF_8);
    }
}
