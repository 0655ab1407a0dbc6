package io.lakestream.controller.state;

import java.util.Arrays;
import java.util.function.Supplier;
import org.rocksdb.RocksIterator;

/** Prefix scans and floor lookups over a RocksDB iterator, shared by every {@link StateReader}. */
final class RocksReads {
    private RocksReads() {}

    static void scan(Supplier<RocksIterator> iterators, byte[] prefix, byte[] from, StateReader.EntryVisitor visitor) {
        try (RocksIterator it = iterators.get()) {
            for (it.seek(from); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!hasPrefix(key, prefix) || !visitor.visit(key, it.value())) {
                    return;
                }
            }
        }
    }

    static byte[] floorKey(Supplier<RocksIterator> iterators, byte[] prefix, byte[] key) {
        try (RocksIterator it = iterators.get()) {
            it.seekForPrev(key);
            if (it.isValid() && hasPrefix(it.key(), prefix)) {
                return it.key();
            }
            return null;
        }
    }

    static boolean hasPrefix(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
