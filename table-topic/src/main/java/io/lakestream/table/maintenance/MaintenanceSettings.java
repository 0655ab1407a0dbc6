package io.lakestream.table.maintenance;

import java.time.Duration;

/**
 * How a table topic's table is kept in shape, apart from ingestion (the
 * {@code lakestream.table.maintenance.*}, {@code .snapshot.*} and {@code .compaction.*} topic
 * configs). Immutable.
 *
 * @param interval how often maintenance runs
 * @param snapshotRetention snapshots older than this are expired (and files only they use deleted)
 * @param minSnapshots the newest snapshots kept whatever their age
 * @param minInputFiles a table partition's small data files are rewritten once it has this many
 */
public record MaintenanceSettings(Duration interval, Duration snapshotRetention, int minSnapshots,
                                  int minInputFiles) {
    public static final MaintenanceSettings DEFAULTS = new MaintenanceSettings(Duration.ofMinutes(10),
        Duration.ofDays(5), 1, 5);
}
