package io.lakestream.table.testing;

import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.table.catalog.ObjectLocations;
import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.catalog.ObjectStoreFileIO;
import java.nio.file.Path;

/**
 * The two object stores table tests run on: a local directory and an S3 server (s3proxy), each
 * with a catalog over it. Each {@link Store} owns its storage and closes it.
 */
public final class TableStores {
    private TableStores() {}

    public enum Kind { LOCAL, S3 }

    /** A store and a catalog on it; {@code s3} is needed for {@link Kind#S3} only. */
    public static Store open(Kind kind, Path dir, S3ProxyServer s3) {
        ObjectStorage storage;
        ObjectLocations locations;
        if (kind == Kind.LOCAL) {
            storage = new LocalDirectoryObjectStorage(dir.resolve("objects"));
            locations = new ObjectLocations(dir.resolve("objects").toUri().toString());
        } else {
            storage = new S3ObjectStorage(s3.config());
            locations = ObjectLocations.s3(S3ProxyServer.BUCKET);
        }
        return new Store(storage, locations, dir);
    }

    /** One object store, its locations and a catalog factory; closing closes the storage. */
    public record Store(ObjectStorage storage, ObjectLocations locations, Path dir) implements AutoCloseable {

        /** A new catalog instance over the store, as another process or thread would have. */
        public ObjectStoreCatalog catalog(String prefix) {
            ObjectStoreFileIO io = new ObjectStoreFileIO(storage, locations, dir.resolve("spill"));
            return new ObjectStoreCatalog("lakestream", storage, io, prefix + "catalog/", prefix + "warehouse/");
        }

        @Override
        public void close() {
            storage.close();
        }
    }
}
