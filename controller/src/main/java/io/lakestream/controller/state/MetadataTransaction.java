package io.lakestream.controller.state;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The changes of one command, kept in an indexed write batch: reads see the command's own
 * writes over the committed state, and {@link #commit} makes them all durable at once, or
 * {@link #close} without commit drops them. Confined to the applying thread.
 */
public final class MetadataTransaction implements StateReader, AutoCloseable {
    private final MetadataStore store;
    private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private final ReadOptions readOptions = new ReadOptions();

    MetadataTransaction(MetadataStore store) {
        this.store = store;
    }

    @Override
    public byte[] get(Table table, byte[] key) {
        try {
            return batch.getFromBatchAndDB(store.db(), store.handle(table), readOptions, key);
        } catch (RocksDBException e) {
            throw new MetadataStoreException("read of " + table + " failed", e);
        }
    }

    @Override
    public void scan(Table table, byte[] prefix, byte[] from, EntryVisitor visitor) {
        RocksReads.scan(() -> batch.newIteratorWithBase(store.handle(table),
            store.db().newIterator(store.handle(table), readOptions), readOptions), prefix, from, visitor);
    }

    @Override
    public byte[] floorKey(Table table, byte[] prefix, byte[] key) {
        return RocksReads.floorKey(() -> batch.newIteratorWithBase(store.handle(table),
            store.db().newIterator(store.handle(table), readOptions), readOptions), prefix, key);
    }

    public void put(Table table, byte[] key, byte[] value) {
        try {
            batch.put(store.handle(table), key, value);
        } catch (RocksDBException e) {
            throw new MetadataStoreException("write to " + table + " failed", e);
        }
    }

    public void delete(Table table, byte[] key) {
        try {
            batch.delete(store.handle(table), key);
        } catch (RocksDBException e) {
            throw new MetadataStoreException("delete from " + table + " failed", e);
        }
    }

    /** Marks the changes so far, so that {@link #rollbackToSavePoint} can drop only the later ones. */
    void setSavePoint() {
        batch.setSavePoint();
    }

    /** Drops the changes since the last save point, and the save point. */
    void rollbackToSavePoint() {
        try {
            batch.rollbackToSavePoint();
        } catch (RocksDBException e) {
            throw new MetadataStoreException("rollback of a transaction on " + store.directory() + " failed", e);
        }
    }

    /** Forgets the last save point, keeping the changes since it. */
    void popSavePoint() {
        try {
            batch.popSavePoint();
        } catch (RocksDBException e) {
            throw new MetadataStoreException("pop of a save point on " + store.directory() + " failed", e);
        }
    }

    /** Writes every change of this transaction atomically. */
    void commit(WriteOptions writeOptions) {
        try {
            store.db().write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new MetadataStoreException("commit to " + store.directory() + " failed", e);
        }
    }

    @Override
    public void close() {
        readOptions.close();
        batch.close();
    }
}
