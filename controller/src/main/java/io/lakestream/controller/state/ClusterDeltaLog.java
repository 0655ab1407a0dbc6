package io.lakestream.controller.state;

import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.codec.ClusterCodecs;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Table#CLUSTER_DELTAS} table: what each command changed in cluster metadata,
 * keyed by its metadata offset, so brokers can follow the cluster by polling for what came
 * after the offset they hold. Only the newest {@code retainedRecords} are kept; older ones are
 * trimmed in the same apply that goes over the limit, and a reader that asks for trimmed
 * records gets a snapshot instead.
 *
 * <p>One instance per command collects its changes ({@link #add}) and writes them once the
 * command succeeded ({@link #writeAt}). Commands batched into one log entry share its offset:
 * each appends its changes to the entry's delta. Confined to the applying thread; the static
 * reads take any reader.
 */
final class ClusterDeltaLog {
    private final MetadataTransaction tx;
    private final int retainedRecords;
    private final List<ClusterChange> changes = new ArrayList<>();

    ClusterDeltaLog(MetadataTransaction tx, int retainedRecords) {
        this.tx = tx;
        this.retainedRecords = retainedRecords;
    }

    void add(ClusterChange change) {
        changes.add(change);
    }

    /** Writes the collected changes as the delta at {@code offset}, if there are any, and trims. */
    void writeAt(long offset) {
        if (changes.isEmpty()) {
            return;
        }
        byte[] deltaKey = Keys.id(offset);
        byte[] earlierInEntry = tx.get(Table.CLUSTER_DELTAS, deltaKey);
        List<ClusterChange> entryChanges = new ArrayList<>();
        if (earlierInEntry != null) {
            entryChanges.addAll(MetadataView.decode(earlierInEntry, ClusterCodecs.CLUSTER_CHANGES));
        }
        entryChanges.addAll(changes);
        tx.put(Table.CLUSTER_DELTAS, deltaKey, MetadataView.encode(entryChanges, ClusterCodecs.CLUSTER_CHANGES));
        long count = readMeta(tx, MetaKeys.CLUSTER_DELTA_COUNT) + (earlierInEntry == null ? 1 : 0);
        long excess = count - retainedRecords;
        if (excess > 0) {
            // Collect first: the transaction's iterator must not see its own deletes mid-scan.
            List<byte[]> oldest = new ArrayList<>();
            byte[] all = new byte[0];
            tx.scan(Table.CLUSTER_DELTAS, all, all, (key, value) -> oldest.add(key) && oldest.size() < excess);
            oldest.forEach(key -> tx.delete(Table.CLUSTER_DELTAS, key));
            tx.put(Table.META, MetaKeys.CLUSTER_DELTAS_TRIMMED_THROUGH,
                Keys.int64(Keys.readId(oldest.get(oldest.size() - 1))));
            count -= oldest.size();
        }
        tx.put(Table.META, MetaKeys.CLUSTER_DELTA_COUNT, Keys.int64(count));
    }

    /** Whether the deltas after {@code afterOffset} are all still retained. */
    static boolean retainsAfter(StateReader reader, long afterOffset) {
        return afterOffset >= readMeta(reader, MetaKeys.CLUSTER_DELTAS_TRIMMED_THROUGH);
    }

    /** Up to {@code max} deltas after {@code afterOffset}, in offset order. */
    static List<ClusterDelta> readAfter(StateReader reader, long afterOffset, int max) {
        List<ClusterDelta> deltas = new ArrayList<>();
        if (max <= 0 || afterOffset == Long.MAX_VALUE) {
            return deltas;
        }
        reader.scan(Table.CLUSTER_DELTAS, new byte[0], Keys.id(Math.max(0, afterOffset + 1)), (key, value) -> {
            deltas.add(new ClusterDelta(Keys.readId(key), MetadataView.decode(value, ClusterCodecs.CLUSTER_CHANGES)));
            return deltas.size() < max;
        });
        return deltas;
    }

    private static long readMeta(StateReader reader, byte[] key) {
        byte[] value = reader.get(Table.META, key);
        return value == null ? 0 : Keys.readInt64(value);
    }
}
