package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.iceberg.BaseMetastoreTableOperations;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableMetadataParser;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.FileIO;

/**
 * One table's metadata pointer in the object store. The current metadata is the highest
 * version under the table's key prefix ({@link CatalogKeys}); a commit creates version N+1
 * with {@link ObjectStorage#writeIfAbsent}, so of two writers that both read version N
 * exactly one succeeds and the other gets {@link CommitFailedException} and retries from a
 * refresh. Old versions are deleted by Iceberg's {@code write.metadata.delete-after-commit}
 * (on by default for tables of this catalog), which keeps every listing short.
 *
 * <p>If the store says the version exists, the object is read back: a conditional PUT whose
 * response was lost and that the client retried finds its own object, which is a success.
 *
 * <p>Not thread-safe (as Iceberg's table operations are not): one per table and thread.
 */
final class ObjectStoreTableOperations extends BaseMetastoreTableOperations {
    private final ObjectStorage storage;
    private final CatalogKeys keys;
    private final TableIdentifier identifier;
    private final String catalogName;
    private final ObjectStoreFileIO io;
    /** The version of the current metadata; 0 before the table exists. */
    private long currentVersion;

    ObjectStoreTableOperations(ObjectStorage storage, CatalogKeys keys, TableIdentifier identifier,
                               String catalogName, ObjectStoreFileIO io) {
        this.storage = storage;
        this.keys = keys;
        this.identifier = identifier;
        this.catalogName = catalogName;
        this.io = io;
    }

    @Override
    protected String tableName() {
        return catalogName + "." + identifier;
    }

    @Override
    public FileIO io() {
        return io;
    }

    @Override
    protected void doRefresh() {
        List<ObjectInfo> versions = StorageCalls.await(storage.list(keys.tablePrefix(identifier)),
            "list the metadata of " + tableName());
        String newest = null;
        long newestVersion = 0;
        for (ObjectInfo info : versions) {
            long version = CatalogKeys.versionOf(info.key());
            if (version > newestVersion && info.key().startsWith(keys.tablePrefix(identifier))
                && info.key().indexOf('/', keys.tablePrefix(identifier).length()) < 0) {
                newest = info.key();
                newestVersion = version;
            }
        }
        if (newest == null) {
            if (currentMetadataLocation() != null) {
                throw new NoSuchTableException("Table %s was dropped", tableName());
            }
            disableRefresh();
            return;
        }
        refreshFromMetadataLocation(io.locations().locationOf(newest));
        currentVersion = newestVersion;
    }

    @Override
    protected void doCommit(TableMetadata base, TableMetadata metadata) {
        long version = base == null ? 1 : currentVersion + 1;
        String key = keys.version(identifier, version);
        byte[] json = TableMetadataParser.toJson(metadata).getBytes(StandardCharsets.UTF_8);
        boolean created;
        try {
            created = StorageCalls.await(storage.writeIfAbsent(key, ByteBuffer.wrap(json)),
                "create version " + version + " of " + tableName());
        } catch (RuntimeException e) {
            throw new CommitStateUnknownException(e);
        }
        if (!created && !holds(key, json)) {
            throw new CommitFailedException("Cannot commit %s: version %d was created by another writer first",
                tableName(), version);
        }
    }

    /** Whether the object at {@code key} is exactly {@code json}: our own create, retried after a lost response. */
    private boolean holds(String key, byte[] json) {
        try {
            boolean sameSize = StorageCalls.await(storage.list(key), "list " + key).stream()
                .anyMatch(info -> info.key().equals(key) && info.size() == json.length);
            if (!sameSize) {
                return false;
            }
            ByteBuffer stored = StorageCalls.await(storage.rangeRead(key, 0, json.length), "read back " + key);
            return stored.equals(ByteBuffer.wrap(json));
        } catch (RuntimeException e) {
            throw new CommitStateUnknownException(e);
        }
    }
}
