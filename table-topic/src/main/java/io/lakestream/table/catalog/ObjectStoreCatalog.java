package io.lakestream.table.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.BaseMetastoreCatalog;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * An Iceberg catalog kept entirely in the object store, next to the topics: no database, no
 * metastore. Namespaces are small JSON objects and a table is its numbered metadata versions
 * ({@link CatalogKeys}); a commit is the atomic creation of the next version
 * ({@link ObjectStoreTableOperations}). Table files go under the warehouse location, at
 * {@code <warehouse>/<namespace levels>/<table>-<random>} (the suffix keeps a re-created
 * table's files apart from a dropped one's).
 *
 * <p>Thread-safe: every call works on fresh table operations; concurrent writers of one table
 * are serialized by the store's conditional create.
 */
public final class ObjectStoreCatalog extends BaseMetastoreCatalog implements SupportsNamespaces {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> PROPERTIES = new TypeReference<>() {};

    private final String name;
    private final ObjectStorage storage;
    private final ObjectStoreFileIO io;
    private final CatalogKeys keys;
    private final String warehouseKeyPrefix;
    private final Map<String, String> properties;

    /**
     * @param catalogKeyPrefix where the catalog's own entries go, e.g. {@code iceberg/catalog/}
     * @param warehouseKeyPrefix where tables' files go, e.g. {@code iceberg/warehouse/}
     */
    public ObjectStoreCatalog(String name, ObjectStorage storage, ObjectStoreFileIO io, String catalogKeyPrefix,
                              String warehouseKeyPrefix) {
        this.name = name;
        this.storage = storage;
        this.io = io;
        this.keys = new CatalogKeys(catalogKeyPrefix);
        if (!warehouseKeyPrefix.endsWith("/")) {
            throw new IllegalArgumentException("A warehouse key prefix ends with '/', not '" + warehouseKeyPrefix + "'");
        }
        this.warehouseKeyPrefix = warehouseKeyPrefix;
        this.properties = TableDefaults.CATALOG_PROPERTIES;
    }

    @Override
    public String name() {
        return name;
    }

    public ObjectStoreFileIO io() {
        return io;
    }

    @Override
    protected Map<String, String> properties() {
        return properties;
    }

    @Override
    protected TableOperations newTableOps(TableIdentifier tableIdentifier) {
        return new ObjectStoreTableOperations(storage, keys, tableIdentifier, name, io);
    }

    @Override
    protected String defaultWarehouseLocation(TableIdentifier table) {
        return TableDefaults.location(io.locations().locationOf(warehouseKeyPrefix), table);
    }

    @Override
    public List<TableIdentifier> listTables(Namespace namespace) {
        requireNamespace(namespace);
        Set<TableIdentifier> tables = new LinkedHashSet<>();
        for (ObjectInfo info : list(keys.tablesPrefix(namespace))) {
            keys.tableOf(namespace, info.key()).ifPresent(tables::add);
        }
        return new ArrayList<>(tables);
    }

    @Override
    public boolean dropTable(TableIdentifier identifier, boolean purge) {
        TableOperations ops = newTableOps(identifier);
        TableMetadata last;
        try {
            last = ops.current();
        } catch (NoSuchTableException e) {
            return false;
        }
        if (last == null) {
            return false;
        }
        List<String> versions = list(keys.tablePrefix(identifier)).stream().map(ObjectInfo::key).toList();
        StorageCalls.await(storage.delete(versions), "drop " + identifier);
        if (purge) {
            CatalogUtil.dropTableData(io, last);
        }
        return true;
    }

    /**
     * Creates version 1 of {@code to} from the current metadata of {@code from}, then deletes
     * {@code from}. Not atomic against a concurrent commit to {@code from}, which would be lost.
     */
    @Override
    public void renameTable(TableIdentifier from, TableIdentifier to) {
        TableOperations source = newTableOps(from);
        TableMetadata current = source.current();
        if (current == null) {
            throw new NoSuchTableException("Table does not exist: %s", from);
        }
        requireNamespace(to.namespace());
        TableOperations target = newTableOps(to);
        if (target.current() != null) {
            throw new AlreadyExistsException("Table already exists: %s", to);
        }
        target.commit(null, TableMetadata.buildFrom(current).discardChanges().build());
        dropTable(from, false);
    }

    @Override
    public void createNamespace(Namespace namespace, Map<String, String> metadata) {
        if (namespace.isEmpty()) {
            throw new IllegalArgumentException("Cannot create the empty namespace");
        }
        boolean created = StorageCalls.await(storage.writeIfAbsent(keys.namespace(namespace), encode(metadata)),
            "create namespace " + namespace);
        if (!created) {
            throw new AlreadyExistsException("Namespace already exists: %s", namespace);
        }
    }

    @Override
    public List<Namespace> listNamespaces(Namespace parent) {
        if (!parent.isEmpty()) {
            requireNamespace(parent);
        }
        List<Namespace> children = new ArrayList<>();
        for (ObjectInfo info : list(keys.namespacesPrefix())) {
            keys.namespaceOf(info.key()).ifPresent(namespace -> {
                String[] levels = namespace.levels();
                if (levels.length == parent.length() + 1
                    && Arrays.equals(Arrays.copyOf(levels, parent.length()), parent.levels())) {
                    children.add(namespace);
                }
            });
        }
        return children;
    }

    @Override
    public Map<String, String> loadNamespaceMetadata(Namespace namespace) {
        String key = keys.namespace(namespace);
        List<ObjectInfo> found = list(key).stream().filter(info -> info.key().equals(key)).toList();
        if (found.isEmpty()) {
            throw new NoSuchNamespaceException("Namespace does not exist: %s", namespace);
        }
        ByteBuffer bytes = StorageCalls.await(storage.rangeRead(key, 0, found.get(0).size()), "read namespace " + namespace);
        try {
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            return new java.util.HashMap<>(JSON.readValue(array, PROPERTIES)); // Iceberg probes maps with containsKey(null)
        } catch (IOException e) {
            throw new UncheckedIOException("Namespace " + namespace + " has unreadable properties", e);
        }
    }

    @Override
    public boolean dropNamespace(Namespace namespace) {
        if (!namespaceExists(namespace)) {
            return false;
        }
        if (!listTables(namespace).isEmpty()) {
            throw new NamespaceNotEmptyException("Namespace %s still has tables", namespace);
        }
        if (!listNamespaces(namespace).isEmpty()) {
            throw new NamespaceNotEmptyException("Namespace %s still has namespaces", namespace);
        }
        StorageCalls.await(storage.delete(List.of(keys.namespace(namespace))), "drop namespace " + namespace);
        return true;
    }

    /** Read, change, write: a concurrent change of the same namespace's properties may be lost. */
    @Override
    public boolean setProperties(Namespace namespace, Map<String, String> updates) {
        Map<String, String> current = new TreeMap<>(loadNamespaceMetadata(namespace));
        current.putAll(updates);
        StorageCalls.await(storage.write(keys.namespace(namespace), encode(current)), "update namespace " + namespace);
        return true;
    }

    @Override
    public boolean removeProperties(Namespace namespace, Set<String> removals) {
        Map<String, String> current = new TreeMap<>(loadNamespaceMetadata(namespace));
        boolean changed = current.keySet().removeAll(removals);
        StorageCalls.await(storage.write(keys.namespace(namespace), encode(current)), "update namespace " + namespace);
        return changed;
    }

    @Override
    public boolean namespaceExists(Namespace namespace) {
        String key = keys.namespace(namespace);
        return list(key).stream().anyMatch(info -> info.key().equals(key));
    }

    private void requireNamespace(Namespace namespace) {
        if (!namespaceExists(namespace)) {
            throw new NoSuchNamespaceException("Namespace does not exist: %s", namespace);
        }
    }

    private List<ObjectInfo> list(String prefix) {
        return StorageCalls.await(storage.list(prefix), "list " + prefix);
    }

    private static ByteBuffer encode(Map<String, String> properties) {
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(new TreeMap<>(properties)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
