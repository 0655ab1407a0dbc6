package io.lakestream.table;

import java.util.Map;

/**
 * What a table topic looks like from this broker, for the tables CLI and tests. Immutable.
 *
 * @param committedOffsets the table's offset of each partition led here (-1: none committed)
 * @param highWatermarks the high watermark of each partition led here
 * @param stopped the partitions stopped by errors.tolerance=none, with why
 * @param lastCommitMillis when this broker last committed, -1 if never
 * @param lastError the last failure to open, write or commit, or null
 * @param lastMaintenance when this broker last maintained the table and what it did, or null
 */
public record TableStatus(String topic, String table, Map<Integer, Long> committedOffsets,
                          Map<Integer, Long> highWatermarks, Map<Integer, String> stopped, long lastCommitMillis,
                          long lastSnapshotId, String lastError, String lastMaintenance) {

    /** Records led here that the table does not hold yet. */
    public long lag() {
        long lag = 0;
        for (Map.Entry<Integer, Long> entry : highWatermarks.entrySet()) {
            lag += Math.max(0, entry.getValue() - Math.max(0, committedOffsets.getOrDefault(entry.getKey(), 0L)));
        }
        return lag;
    }
}
