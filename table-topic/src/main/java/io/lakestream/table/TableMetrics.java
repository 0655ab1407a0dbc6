package io.lakestream.table;

import io.lakestream.table.maintenance.TableMaintenance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One table topic's meters on this broker, tagged {@code topic} and {@code table}:
 * <ul>
 *   <li>{@code lakestream.table.commit.lag}: records the partitions led here hold beyond what the
 *       table has committed (the sum over partitions of high watermark minus committed offset);</li>
 *   <li>{@code lakestream.table.commit.latency}: how long a commit takes, from closing the files
 *       to the new snapshot;</li>
 *   <li>{@code lakestream.table.commits}, {@code .rows}, {@code .files}: committed snapshots, rows
 *       and data files;</li>
 *   <li>{@code lakestream.table.errors}: records that did not convert (dead letters, or the record
 *       a partition stopped at), and failed commits;</li>
 *   <li>{@code lakestream.table.stopped.partitions}: partitions stopped by errors.tolerance=none;</li>
 *   <li>{@code lakestream.table.maintenance.runs}, {@code .snapshots.expired}, {@code .files.rewritten}:
 *       table maintenance on the broker that leads partition 0.</li>
 * </ul>
 * Removed when the table topic stops here. Thread-safe (Micrometer's meters are).
 */
public final class TableMetrics implements AutoCloseable {
    public static final String COMMIT_LAG = "lakestream.table.commit.lag";
    public static final String COMMIT_LATENCY = "lakestream.table.commit.latency";
    public static final String COMMITS = "lakestream.table.commits";
    public static final String ROWS = "lakestream.table.rows";
    public static final String FILES = "lakestream.table.files";
    public static final String ERRORS = "lakestream.table.errors";
    public static final String STOPPED_PARTITIONS = "lakestream.table.stopped.partitions";
    public static final String MAINTENANCE_RUNS = "lakestream.table.maintenance.runs";
    public static final String SNAPSHOTS_EXPIRED = "lakestream.table.maintenance.snapshots.expired";
    public static final String FILES_REWRITTEN = "lakestream.table.maintenance.files.rewritten";

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Timer commitLatency;
    private final Counter commits;
    private final Counter rows;
    private final Counter files;
    private final Counter errors;
    private final Counter maintenanceRuns;
    private final Counter snapshotsExpired;
    private final Counter filesRewritten;

    TableMetrics(MeterRegistry registry, String topic, String table, Supplier<Number> lag, Supplier<Number> stopped) {
        this.registry = registry;
        Tags tags = Tags.of("topic", topic, "table", table);
        meters.add(Gauge.builder(COMMIT_LAG, lag).tags(tags).baseUnit("records")
            .description("Records in the partitions led here not yet committed to the table").register(registry));
        meters.add(Gauge.builder(STOPPED_PARTITIONS, stopped).tags(tags)
            .description("Partitions whose table writes stopped at a record that does not convert").register(registry));
        commitLatency = register(Timer.builder(COMMIT_LATENCY).tags(tags).description("Table commit latency")
            .register(registry));
        commits = register(Counter.builder(COMMITS).tags(tags).register(registry));
        rows = register(Counter.builder(ROWS).tags(tags).baseUnit("rows").register(registry));
        files = register(Counter.builder(FILES).tags(tags).baseUnit("files").register(registry));
        errors = register(Counter.builder(ERRORS).tags(tags).register(registry));
        maintenanceRuns = register(Counter.builder(MAINTENANCE_RUNS).tags(tags).register(registry));
        snapshotsExpired = register(Counter.builder(SNAPSHOTS_EXPIRED).tags(tags).register(registry));
        filesRewritten = register(Counter.builder(FILES_REWRITTEN).tags(tags).baseUnit("files").register(registry));
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    void committed(long nanos, long rowCount, int fileCount, long deadLetters) {
        commitLatency.record(nanos, TimeUnit.NANOSECONDS);
        commits.increment();
        rows.increment(rowCount);
        files.increment(fileCount);
        errors.increment(deadLetters);
    }

    void maintained(TableMaintenance.Result result) {
        maintenanceRuns.increment();
        snapshotsExpired.increment(result.snapshotsExpired());
        filesRewritten.increment(result.filesRewritten());
    }

    void error() {
        errors.increment();
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
