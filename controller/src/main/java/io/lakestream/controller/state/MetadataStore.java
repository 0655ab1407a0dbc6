package io.lakestream.controller.state;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB database that holds the controller state, one column family per
 * {@link Table}. Writes go through {@link MetadataTransaction}s committed by one thread;
 * {@link #openReadView} gives other threads a consistent snapshot. RocksDB's own WAL is on
 * but not synced: the Raft log is the durable record, and entries lost from an unsynced
 * tail are applied again from it.
 */
public final class MetadataStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions options;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> allHandles;
    private final Map<Table, ColumnFamilyHandle> handles = new EnumMap<>(Table.class);
    private final WriteOptions writeOptions = new WriteOptions();

    private MetadataStore(Path directory, DBOptions options, RocksDB db, List<ColumnFamilyHandle> allHandles) {
        this.directory = directory;
        this.options = options;
        this.db = db;
        this.allHandles = allHandles;
        for (Table table : Table.values()) {
            handles.put(table, allHandles.get(table.ordinal() + 1));
        }
    }

    /**
     * Opens the store in {@code directory}, creating it empty with {@code clusterId} if it
     * does not exist. An existing store keeps the cluster id it was created with.
     */
    public static MetadataStore open(Path directory, String clusterId) {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
        for (Table table : Table.values()) {
            descriptors.add(new ColumnFamilyDescriptor(table.columnFamilyName()));
        }
        DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            Files.createDirectories(directory.getParent());
            RocksDB db = RocksDB.open(options, directory.toString(), descriptors, handles);
            MetadataStore store = new MetadataStore(directory, options, db, handles);
            if (store.readMeta(MetaKeys.CLUSTER_ID) == null) {
                db.put(store.handle(Table.META), MetaKeys.CLUSTER_ID,
                    new ByteWriter().writeString(clusterId).toByteArray());
            }
            return store;
        } catch (RocksDBException | java.io.IOException e) {
            options.close();
            throw new MetadataStoreException("cannot open the metadata store in " + directory, e);
        }
    }

    public String clusterId() {
        return new ByteReader(readMeta(MetaKeys.CLUSTER_ID)).readString();
    }

    /** The term and index of the last Raft entry applied, or {0, 0} for an empty store. */
    public long[] appliedTermIndex() {
        byte[] value = readMeta(MetaKeys.APPLIED);
        if (value == null) {
            return new long[] {0, 0};
        }
        ByteBuffer buffer = ByteBuffer.wrap(value);
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    /** Starts the changes of one command; commit with {@link #commit}. */
    public MetadataTransaction beginTransaction() {
        return new MetadataTransaction(this);
    }

    /** Commits {@code transaction} together with the new applied term and index. */
    public void commit(MetadataTransaction transaction, long term, long index) {
        transaction.put(Table.META, MetaKeys.APPLIED,
            ByteBuffer.allocate(2 * Long.BYTES).putLong(term).putLong(index).array());
        transaction.commit(writeOptions);
    }

    /** A consistent view of the committed state; close it to release the RocksDB snapshot. */
    public ReadView openReadView() {
        return new ReadView(this);
    }

    /** Writes a RocksDB checkpoint (hard links where possible) to {@code target}, which must not exist. */
    public void checkpoint(Path target) {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw new MetadataStoreException("checkpoint of " + directory + " to " + target + " failed", e);
        }
    }

    /** RocksDB's estimate of the live data, summed over the tables; a metric, not an exact figure. */
    public long estimatedLiveDataBytes() {
        return sumOfProperty("rocksdb.estimate-live-data-size");
    }

    /** The size of the SST files of every table. */
    public long sstFileBytes() {
        return sumOfProperty("rocksdb.total-sst-files-size");
    }

    private long sumOfProperty(String property) {
        long sum = 0;
        try {
            for (ColumnFamilyHandle handle : allHandles) {
                sum += db.getLongProperty(handle, property);
            }
        } catch (RocksDBException e) {
            throw new MetadataStoreException("cannot read " + property + " of " + directory, e);
        }
        return sum;
    }

    public Path directory() {
        return directory;
    }

    RocksDB db() {
        return db;
    }

    ColumnFamilyHandle handle(Table table) {
        return handles.get(table);
    }

    private byte[] readMeta(byte[] key) {
        try {
            return db.get(handle(Table.META), key);
        } catch (RocksDBException e) {
            throw new MetadataStoreException("read of meta in " + directory + " failed", e);
        }
    }

    @Override
    public void close() {
        writeOptions.close();
        allHandles.forEach(ColumnFamilyHandle::close);
        db.close();
        options.close();
    }

    /** Reads of the committed state at one point in time. Safe for one thread at a time. */
    public static final class ReadView implements StateReader, AutoCloseable {
        private final MetadataStore store;
        private final Snapshot snapshot;
        private final ReadOptions readOptions;

        private ReadView(MetadataStore store) {
            this.store = store;
            this.snapshot = store.db.getSnapshot();
            this.readOptions = new ReadOptions().setSnapshot(snapshot);
        }

        @Override
        public byte[] get(Table table, byte[] key) {
            try {
                return store.db.get(store.handle(table), readOptions, key);
            } catch (RocksDBException e) {
                throw new MetadataStoreException("read of " + table + " failed", e);
            }
        }

        @Override
        public void scan(Table table, byte[] prefix, byte[] from, EntryVisitor visitor) {
            RocksReads.scan(() -> store.db.newIterator(store.handle(table), readOptions), prefix, from, visitor);
        }

        @Override
        public byte[] floorKey(Table table, byte[] prefix, byte[] key) {
            return RocksReads.floorKey(() -> store.db.newIterator(store.handle(table), readOptions), prefix, key);
        }

        @Override
        public void close() {
            readOptions.close();
            store.db.releaseSnapshot(snapshot);
        }
    }
}
