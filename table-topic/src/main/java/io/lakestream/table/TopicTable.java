package io.lakestream.table;

import io.lakestream.table.commit.CommitOutcome;
import io.lakestream.table.commit.CommittedOffsets;
import io.lakestream.table.commit.TableCommitter;
import io.lakestream.table.convert.DeadLetters;
import io.lakestream.table.maintenance.TableMaintenance;
import io.lakestream.table.partition.TablePartitioning;
import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.write.PartitionFiles;
import io.lakestream.table.write.PartitionWorker;
import io.lakestream.table.write.TableTarget;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table topic on this broker: a {@link PartitionWorker} for each of its partitions led
 * here, and the commit of all of them as one snapshot every commit interval
 * ({@link TableCommitter}). Opens (creating if missing) the table and its dead-letter table
 * first. Files drained for a commit that failed stay pending and go with the next one. A worker
 * that fails (a read, an upload) starts again, after a backoff, where its pending files end or
 * else at the table's offset.
 *
 * <p>The broker that leads partition 0 also maintains the table every maintenance interval
 * ({@link TableMaintenance}: snapshot expiry, small-file rewrites), on the maintenance executor
 * with a table instance of its own, so that a long rewrite never holds up ingestion; commits
 * of the two meet only in the catalog, where the loser retries.
 *
 * <p>Each worker steps (reads, converts and writes one chunk) as a task of its own on the writer
 * executor (the table writer threads), at most one step per worker at a time, and steps again
 * once the loop has taken the outcome of the last: no worker waits for another. A worker is
 * touched here only between its steps: a commit that comes due starts no more steps and drains
 * the workers (closing a file encodes and uploads its last row group) once those running ended;
 * a worker released or refused while it steps is closed or reset when its step ends. The commit
 * of the drained files (catalog I/O, manifests) runs on the commit executor with a table instance
 * of its own, while the workers go on writing the next rows into new files; at most one commit is
 * in flight, and until it ends its files stay pending (a worker that fails meanwhile starts again
 * where they end). Outcomes, failures and everything else here stay on the loop thread.
 *
 * <p>Single-threaded: owned by the {@link TableTopicService} loop; {@link #status} may be read
 * from any thread (a volatile snapshot).
 */
public final class TopicTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicTable.class);
    static final int READ_BYTES = 4 << 20;
    private static final long RETRY_MILLIS = 2_000;
    /** A table topic's tables: our own commit retry (Iceberg's would re-apply a stale offsets summary). */
    private static final Map<String, String> TABLE_PROPERTIES = Map.of(
        TableProperties.COMMIT_NUM_RETRIES, "0",
        TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(128L << 20),
        TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, String.valueOf(32L << 20));

    private final TableTopicSettings settings;
    private final Catalog catalog;
    private final SchemaLookup schemas;
    private final LongSupplier clock;
    private final Runnable wakeUp;
    private final MeterRegistry registry;
    private final Executor maintenanceExecutor;
    private final Executor writerExecutor;
    private final Executor commitExecutor;
    private final Map<Integer, PartitionWorker> workers = new TreeMap<>();
    /**
     * The steps running on the writer executor, one at most per worker: a worker steps again
     * as soon as its last step ended, whatever the others do. A worker released while its step
     * runs stays here until the step ends, and is closed then.
     */
    private final Map<PartitionWorker, CompletableFuture<WorkerResult<Integer>>> steps = new LinkedHashMap<>();
    /** A commit came due while steps ran: no step starts until they ended and the commit began. */
    private boolean draining;
    /**
     * Where to reset workers whose files a commit refused while they stepped, once the step
     * ends: a reset in the middle of a step would race its writes.
     */
    private final Map<PartitionWorker, Long> resetsAfterStep = new HashMap<>();
    /**
     * The workers whose step ended since this {@link #doWork} began: they step again in the next
     * one, so that the caller sees each worker between two steps (the writer memory budget).
     */
    private final Set<PartitionWorker> stepEnded = new HashSet<>();
    private final Map<Integer, Long> workerRetryAt = new HashMap<>();
    /** Partitions to start once the table is open, with their sources. */
    private final Map<Integer, PartitionSource> pendingSources = new HashMap<>();
    /**
     * Files drained for a commit that has not succeeded yet, by partition: those of the commit in
     * flight, if there is one (nothing is drained while it is), else those of a failed one.
     */
    private final Map<Integer, PartitionFiles> pending = new TreeMap<>();
    /** The commit of {@link #pending} running on the commit executor, or null. */
    private CompletableFuture<Committed> commitInFlight;
    /** When the commit in flight began, in clock millis and in {@link System#nanoTime}. */
    private long commitStartedAt;
    private long commitStartedNanos;
    private Table table;
    private Table deadLetterTable;
    private TableCommitter committer;
    private final TablePartitioning partitioning;
    private TableMetrics metrics;
    private long openRetryAt;
    private long nextCommitAt;
    /** After a failed commit, an early commit (a worker that wants one) waits until then. */
    private long commitRetryAt;
    private long lastCommitMillis = -1;
    private long lastSnapshotId = -1;
    private String lastError;
    private CommittedOffsets committed = CommittedOffsets.NONE;
    private long nextMaintenanceAt;
    private CompletableFuture<TableMaintenance.Result> maintenance;
    private String lastMaintenance;
    private volatile TableStatus status;

    /**
     * @param schemas where the avro and protobuf formats find the schemas of the ids in record values
     * @param maintenanceExecutor where table maintenance runs
     * @param writerExecutor where the steps of the partition workers run, in parallel, and their drains
     * @param commitExecutor where commits run, while the workers go on writing
     */
    public TopicTable(TableTopicSettings settings, Catalog catalog, SchemaLookup schemas, LongSupplier clock,
                      Runnable wakeUp, MeterRegistry registry, Executor maintenanceExecutor, Executor writerExecutor,
                      Executor commitExecutor) {
        this.settings = settings;
        this.schemas = schemas;
        this.catalog = catalog;
        this.clock = clock;
        this.wakeUp = wakeUp;
        this.registry = registry;
        this.maintenanceExecutor = maintenanceExecutor;
        this.writerExecutor = writerExecutor;
        this.commitExecutor = commitExecutor;
        this.partitioning = new TablePartitioning(settings.partitionBy());
        this.status = new TableStatus(settings.topic(), settings.table().toString(), Map.of(), Map.of(), Map.of(), -1,
            -1, null, null);
    }

    /**
     * A table topic whose maintenance, workers and commits run on the calling thread, within
     * {@link #doWork}: for tests.
     */
    public TopicTable(TableTopicSettings settings, Catalog catalog, SchemaLookup schemas, LongSupplier clock,
                      Runnable wakeUp, MeterRegistry registry) {
        this(settings, catalog, schemas, clock, wakeUp, registry, Runnable::run, Runnable::run, Runnable::run);
    }

    /** As above, for values that need no schema registry (json, raw). */
    public TopicTable(TableTopicSettings settings, Catalog catalog, LongSupplier clock, Runnable wakeUp,
                      MeterRegistry registry) {
        this(settings, catalog, SchemaLookup.NONE, clock, wakeUp, registry);
    }

    public TableTopicSettings settings() {
        return settings;
    }

    /** The table, once open. */
    public Table table() {
        return table;
    }

    public TableStatus status() {
        return status;
    }

    /** The workers of the partitions written here that no step runs for: the ones the caller may touch. */
    public Collection<PartitionWorker> workers() {
        List<PartitionWorker> between = new ArrayList<>(workers.size());
        for (PartitionWorker worker : workers.values()) {
            if (!steps.containsKey(worker)) {
                between.add(worker);
            }
        }
        return between;
    }

    /** The partitions with a worker here, and their sources. */
    public Map<Integer, PartitionSource> sources() {
        Map<Integer, PartitionSource> sources = new TreeMap<>();
        workers.forEach((partition, worker) -> sources.put(partition, worker.source()));
        sources.putAll(pendingSources);
        return sources;
    }

    /**
     * When the next commit is due, in clock millis (0 before the table is open); none while one
     * is in flight or waits for steps to end (their ends wake the loop up).
     */
    public long nextCommitAt() {
        if (table == null) {
            return openRetryAt;
        }
        return commitInFlight != null || draining ? Long.MAX_VALUE : nextCommitAt;
    }

    /** Starts writing {@code partition} from the table's offset for it (or the log start). */
    public void lead(int partition, PartitionSource source) {
        release(partition);
        pendingSources.put(partition, source);
    }

    /**
     * Stops writing {@code partition} here; files it wrote and did not hand over are left behind.
     * A worker in the middle of a step is closed when the step ends.
     */
    public void release(int partition) {
        PartitionWorker worker = workers.remove(partition);
        pendingSources.remove(partition);
        workerRetryAt.remove(partition);
        if (worker != null && !steps.containsKey(worker)) {
            worker.close();
        }
    }

    /**
     * Takes the outcome of a commit and of the worker steps that ended, opens the tables if they
     * are not yet, starts a step of every worker with work and none running (nor ended since the
     * call began: it steps in the next call, which follows at once), and starts a commit if the
     * interval has passed and none is in flight: once the steps running then have ended. Never
     * waits for a step; with executors that run their tasks at once (tests), every worker steps
     * once per call and a due commit follows the steps.
     *
     * @return the work done (0 when idle)
     */
    public int doWork() {
        long now = clock.getAsLong();
        int work = 0;
        stepEnded.clear();
        if (commitInFlight != null && commitInFlight.isDone()) {
            completeCommit(now);
            work++;
        }
        // A step that ended counts as work even if it read nothing: the loop comes back at once
        // to start the worker's next one.
        work += collectSteps(now);
        work += stepEnded.size();
        if (table == null) {
            if (now < openRetryAt || !open(now)) {
                return work;
            }
        }
        work += startPendingWorkers(now);
        if (draining) {
            work += commitOnceStepsEnded(now);
            if (draining) {
                return work;
            }
        }
        startSteps(now);
        work += collectSteps(now);
        // The time after the steps: with a synchronous executor a step (a chunk of every
        // partition) can outlast the interval, and the time before it would put off a due commit.
        now = clock.getAsLong();
        if (commitInFlight == null && (now >= nextCommitAt || (now >= commitRetryAt && wantsCommit()))) {
            work += commitOnceStepsEnded(now);
        }
        work += maintainIfDue(now);
        updateStatus();
        return work;
    }

    /**
     * Commits now if no step runs; else the table drains: no step starts, and each call tries
     * again until the steps running have ended.
     *
     * @return the work done: 1 if it committed
     */
    private int commitOnceStepsEnded(long now) {
        draining = !steps.isEmpty();
        if (draining) {
            return 0;
        }
        commit(now);
        return 1;
    }

    private boolean wantsCommit() {
        for (PartitionWorker worker : workers()) {
            if (worker.wantsCommit()) {
                return true;
            }
        }
        return false;
    }

    /** What a task returned for one worker, or how it failed. */
    private record WorkerResult<T>(PartitionWorker worker, T value, Exception failure) {}

    /** A task for one worker, run by {@link #onWriters}. */
    @FunctionalInterface
    private interface WorkerTask<T> {
        T run(PartitionWorker worker) throws Exception;
    }

    /** {@code task} for {@code worker} on {@code executor}; its future holds an exception rather than failing. */
    private static <T> CompletableFuture<WorkerResult<T>> run(PartitionWorker worker, WorkerTask<T> task,
                                                              Executor executor) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new WorkerResult<>(worker, task.run(worker), null);
            } catch (Exception e) {
                return new WorkerResult<>(worker, null, e);
            }
        }, executor);
    }

    /**
     * Runs {@code task} for each of {@code due} at the same time on the writer executor (on the
     * calling thread, when only one has to) and waits for all (the drains before a commit):
     * workers share nothing but the table, whose schema and spec are read under its lock. None
     * of them may be stepping.
     */
    private <T> List<WorkerResult<T>> onWriters(Collection<PartitionWorker> due, WorkerTask<T> task) {
        Executor executor = due.size() > 1 ? writerExecutor : Runnable::run;
        List<CompletableFuture<WorkerResult<T>>> running = new ArrayList<>(due.size());
        for (PartitionWorker worker : due) {
            running.add(run(worker, task, executor));
        }
        List<WorkerResult<T>> results = new ArrayList<>(running.size());
        running.forEach(result -> results.add(result.join()));
        return results;
    }

    /**
     * Starts a step of every worker that has none running nor ended one in this call, is not
     * waiting out a failure and has something to do; the end of a step that did not end at once
     * wakes the loop up.
     */
    private void startSteps(long now) {
        for (PartitionWorker worker : workers.values()) {
            if (steps.containsKey(worker) || stepEnded.contains(worker)
                || now < workerRetryAt.getOrDefault(worker.partition(), 0L) || worker.idle()) {
                continue;
            }
            CompletableFuture<WorkerResult<Integer>> step = run(worker, PartitionWorker::doWork, writerExecutor);
            steps.put(worker, step);
            if (!step.isDone()) {
                step.whenComplete((result, failure) -> wakeUp.run());
            }
        }
    }

    /**
     * Takes the outcome of every step that ended: the records it handled, or its failure. A
     * worker released while it stepped is closed now, one refused while it stepped reset now.
     */
    private int collectSteps(long now) {
        int work = 0;
        for (Iterator<Map.Entry<PartitionWorker, CompletableFuture<WorkerResult<Integer>>>> it =
             steps.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PartitionWorker, CompletableFuture<WorkerResult<Integer>>> entry = it.next();
            if (!entry.getValue().isDone()) {
                continue;
            }
            it.remove();
            PartitionWorker worker = entry.getKey();
            stepEnded.add(worker);
            WorkerResult<Integer> step = entry.getValue().join();
            Long reset = resetsAfterStep.remove(worker);
            if (workers.get(worker.partition()) != worker) {
                worker.close();
            } else if (step.failure() != null) {
                // starts again at the table's offset: where a refusal during the step resets it too
                onWorkerFailure(worker.partition(), worker, step.failure(), now);
            } else {
                work += step.value();
                if (reset != null) {
                    deleteQuietly(worker.resetTo(reset));
                }
            }
        }
        return work;
    }

    /** Waits for every step running to end (a step's read gives up after a minute), and takes their outcomes. */
    private void awaitSteps() {
        steps.values().forEach(step -> step.handle((result, failure) -> null).join());
        collectSteps(clock.getAsLong());
    }

    /**
     * Collects the outcome of the last maintenance run, and starts the next one when it is due
     * and partition 0 is led here (one broker maintains each table).
     */
    private int maintainIfDue(long now) {
        if (table == null) {
            return 0; // dropped under us during this pass; opened again first
        }
        if (maintenance != null) {
            if (!maintenance.isDone()) {
                return 0;
            }
            try {
                TableMaintenance.Result result = maintenance.join();
                lastMaintenance = Instant.ofEpochMilli(now) + ": " + result;
                metrics.maintained(result);
            } catch (RuntimeException e) {
                lastError = "Maintenance failed: " + e.getCause();
                lastMaintenance = Instant.ofEpochMilli(now) + ": failed";
                metrics.error();
                LOG.warn("Maintaining table {} failed; trying again in {} ms: {}", table.name(),
                    settings.maintenance().interval().toMillis(), String.valueOf(e.getCause()));
            }
            maintenance = null;
        }
        if (now < nextMaintenanceAt || !(workers.containsKey(0) || pendingSources.containsKey(0))) {
            return 0;
        }
        nextMaintenanceAt = now + settings.maintenance().interval().toMillis();
        maintenance = CompletableFuture.supplyAsync(this::maintain, maintenanceExecutor);
        return 1;
    }

    /** One maintenance run, on a fresh table instance; on the maintenance executor. */
    private TableMaintenance.Result maintain() {
        TableMaintenance.Result result = new TableMaintenance(catalog.loadTable(settings.table()),
            settings.maintenance(), clock).run();
        if (settings.deadLetterTable().isPresent()) {
            int expired = new TableMaintenance(catalog.loadTable(settings.deadLetterTable().get()),
                settings.maintenance(), clock).expireSnapshots();
            result = new TableMaintenance.Result(result.snapshotsExpired() + expired, result.filesRewritten(),
                result.filesWritten(), result.bytesRewritten());
        }
        return result;
    }

    private boolean open(long now) {
        try {
            table = loadOrCreate(settings.table(), settings.format().newConverter(schemas).initialSchema());
            partitioning.apply(table);
            if (settings.deadLetterTable().isPresent()) {
                deadLetterTable = loadOrCreate(settings.deadLetterTable().get(), DeadLetters.SCHEMA);
            }
            // The committer's own instances: its refreshes and commits run beside the workers' reads
            // of their table's schema and spec (a schema change the workers then commit on a
            // stale instance fails once, and is tried again on a fresh one).
            committer = new TableCommitter(catalog.loadTable(settings.table()),
                deadLetterTable == null ? null : catalog.loadTable(settings.deadLetterTable().get()), settings.topic(),
                settings.topicId());
            committed = CommittedOffsets.of(table);
            metrics = new TableMetrics(registry, settings.topic(), settings.table().toString(),
                () -> status.lag(), () -> status.stopped().size());
            nextCommitAt = now + settings.commitInterval().toMillis();
            nextMaintenanceAt = now + settings.maintenance().interval().toMillis();
            lastError = null;
            LOG.info("Topic {} is written to table {} every {} ms", settings.topic(), table.name(),
                settings.commitInterval().toMillis());
            return true;
        } catch (RuntimeException e) {
            table = null;
            deadLetterTable = null;
            lastError = "Cannot open table " + settings.table() + ": " + e;
            openRetryAt = now + RETRY_MILLIS;
            LOG.warn("{}; retrying in {} ms", lastError, RETRY_MILLIS);
            updateStatus();
            return false;
        }
    }

    private Table loadOrCreate(TableIdentifier id, Schema schema) {
        Table loaded;
        try {
            loaded = catalog.loadTable(id);
        } catch (NoSuchTableException e) {
            if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
                try {
                    namespaces.createNamespace(id.namespace());
                } catch (AlreadyExistsException raced) {
                    // another broker created it
                }
            }
            try {
                return catalog.buildTable(id, schema).withProperties(TABLE_PROPERTIES).create();
            } catch (AlreadyExistsException raced) {
                loaded = catalog.loadTable(id);
            }
        }
        if (!"0".equals(loaded.properties().get(TableProperties.COMMIT_NUM_RETRIES))) {
            loaded.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "0").commit();
        }
        return loaded;
    }

    private int startPendingWorkers(long now) {
        if (pendingSources.isEmpty()) {
            return 0;
        }
        int started = 0;
        for (Map.Entry<Integer, PartitionSource> entry : new ArrayList<>(pendingSources.entrySet())) {
            int partition = entry.getKey();
            if (steps.keySet().stream().anyMatch(stepping -> stepping.partition() == partition)) {
                continue; // the partition's released worker is ending its step; it goes first
            }
            long start = resumeOffset(partition, entry.getValue());
            workers.put(partition, new PartitionWorker(partition, entry.getValue(), settings.format().newConverter(schemas),
                new TableTarget(table, deadLetterTable, partitioning, settings.upsert()), start, READ_BYTES, wakeUp));
            pendingSources.remove(partition);
            LOG.info("Partition {} of topic {} is written to table {} from offset {}", partition, settings.topic(),
                table.name(), start);
            started++;
        }
        return started;
    }

    /** Where a partition's worker (re)starts: after its pending files, else at the table's offset, else the log start. */
    private long resumeOffset(int partition, PartitionSource source) {
        PartitionFiles waiting = pending.get(partition);
        if (waiting != null) {
            return waiting.endOffset();
        }
        return committed.offset(settings.topicId(), partition).orElseGet(source::logStartOffset);
    }

    private void onWorkerFailure(int partition, PartitionWorker worker, Exception error, long now) {
        lastError = "Partition " + partition + ": " + error;
        metrics.error();
        LOG.warn("Writing partition {} of topic {} to table {} failed; starting again in {} ms: {}", partition,
            settings.topic(), table.name(), RETRY_MILLIS, error.toString());
        deleteQuietly(worker.resetTo(resumeOffset(partition, worker.source())));
        workerRetryAt.put(partition, now + RETRY_MILLIS);
    }

    /** What a commit did, and when it ended ({@link System#nanoTime}). */
    private record Committed(CommitOutcome outcome, long endNanos) {}

    /**
     * Drains the workers and starts the commit of their files with those still pending, on the
     * commit executor; the outcome is taken by {@link #completeCommit} (at once if it ended).
     */
    private void commit(long now) {
        if (!steps.isEmpty()) {
            throw new IllegalStateException("a commit drains workers while " + steps.size() + " of them step");
        }
        nextCommitAt = now + settings.commitInterval().toMillis();
        long started = System.nanoTime();
        // Upserts: the files of one drain go in a snapshot of their own. An equality delete reaches
        // only earlier snapshots, so a key that two drains (two writers) both wrote would keep two
        // rows if they were committed together. Files left by a failed commit are committed alone.
        boolean drain = pending.isEmpty() || settings.upsert().isEmpty();
        // Closing a worker's files encodes and uploads its last row group: all workers at once.
        for (WorkerResult<PartitionFiles> drained : onWriters(drain ? workers.values() : List.of(),
            PartitionWorker::drain)) {
            if (drained.failure() != null) {
                onWorkerFailure(drained.worker().partition(), drained.worker(), drained.failure(), now);
            } else if (drained.value() != null) {
                pending.merge(drained.worker().partition(), drained.value(), PartitionFiles::followedBy);
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        List<PartitionFiles> files = new ArrayList<>(pending.values());
        TableCommitter committing = committer;
        commitStartedAt = now;
        commitStartedNanos = started;
        commitInFlight = CompletableFuture.supplyAsync(
            () -> new Committed(committing.commit(files), System.nanoTime()), commitExecutor);
        commitInFlight.whenComplete((committed, failure) -> wakeUp.run());
        if (commitInFlight.isDone()) {
            completeCommit(now);
        }
    }

    /**
     * Takes the outcome of the commit in flight, waiting for it if it has not ended: on success
     * the pending files are the table's and the offsets move on (a refused partition's worker
     * starts again at the table's offset, its files since the drain deleted); on failure they stay
     * pending for the next commit.
     */
    private void completeCommit(long now) {
        CompletableFuture<Committed> inFlight = commitInFlight;
        commitInFlight = null;
        Committed result;
        try {
            result = inFlight.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof NoSuchTableException) {
                onTableDropped(now);
                return;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            commitRetryAt = now + RETRY_MILLIS;
            lastError = "Commit failed: " + cause;
            metrics.error();
            LOG.warn("Committing table {} failed; its files wait for the next commit: {}", table.name(),
                cause.toString());
            return;
        }
        CommitOutcome outcome = result.outcome();
        pending.clear();
        committed = committed.with(settings.topicId(), outcome.committed());
        outcome.refused().forEach((partition, offset) -> {
            committed = committed.with(settings.topicId(), Map.of(partition, offset));
            PartitionWorker worker = workers.get(partition);
            if (worker != null && steps.containsKey(worker)) {
                resetsAfterStep.put(worker, offset);
            } else if (worker != null) {
                deleteQuietly(worker.resetTo(offset));
            }
        });
        if (outcome.snapshotId() >= 0) {
            lastCommitMillis = commitStartedAt;
            lastSnapshotId = outcome.snapshotId();
            metrics.committed(result.endNanos() - commitStartedNanos, outcome.rows(), outcome.dataFiles(),
                outcome.deadLetters());
            LOG.debug("Table {}: snapshot {} with {} rows, offsets {}", table.name(), outcome.snapshotId(),
                outcome.rows(), outcome.committed());
        }
        lastError = null;
    }

    /**
     * The table was dropped under us: its pending files go, every worker stops, and the table is
     * opened again (created anew, holding no offsets), so the partitions are written again from
     * the start of their logs.
     */
    private void onTableDropped(long now) {
        lastError = "Table " + settings.table() + " was dropped; creating it again";
        LOG.warn("{}; the partitions are written again from the start of their logs", lastError);
        pending.values().forEach(files -> deleteQuietly(files.locations()));
        pending.clear();
        for (Integer partition : new ArrayList<>(workers.keySet())) {
            PartitionSource source = workers.get(partition).source();
            release(partition);
            pendingSources.put(partition, source);
        }
        table = null;
        deadLetterTable = null;
        committed = CommittedOffsets.NONE;
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        openRetryAt = now;
    }

    private void deleteQuietly(List<String> locations) {
        for (String location : locations) {
            try {
                table.io().deleteFile(location);
            } catch (RuntimeException e) {
                LOG.info("Cannot delete the uncommitted file {}: {}", location, e.toString());
            }
        }
    }

    private void updateStatus() {
        Map<Integer, Long> offsets = new TreeMap<>();
        Map<Integer, Long> highWatermarks = new TreeMap<>();
        Map<Integer, String> stopped = new TreeMap<>();
        workers.forEach((partition, worker) -> {
            offsets.put(partition, committed.offset(settings.topicId(), partition)
                .orElseGet(() -> worker.source().logStartOffset()));
            highWatermarks.put(partition, worker.source().highWatermark());
            // A stopped worker never steps; one that steps is read once its step ended.
            if (!steps.containsKey(worker) && worker.stoppedBecause() != null) {
                stopped.put(partition, worker.stoppedBecause());
            }
        });
        status = new TableStatus(settings.topic(), settings.table().toString(), offsets, highWatermarks, stopped,
            lastCommitMillis, lastSnapshotId, lastError, lastMaintenance);
    }

    /**
     * Waits for the commit in flight, commits what the workers have written since, then closes:
     * a clean shutdown hands its work over instead of leaving it to be written again. A failed
     * commit is logged.
     */
    public void commitAndClose() {
        try {
            awaitSteps();
            draining = false;
            if (commitInFlight != null) {
                completeCommit(clock.getAsLong());
            }
            if (table != null) {
                commit(clock.getAsLong());
                if (commitInFlight != null) {
                    completeCommit(clock.getAsLong());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("The last commit of table {} failed; its rows will be written again: {}", settings.table(),
                e.toString());
        } finally {
            close();
        }
    }

    /**
     * Waits for the steps running, then stops every worker; files not committed are left behind
     * (in no snapshot). A commit in flight is not waited for: it may still land, which is as
     * safe as any commit.
     */
    @Override
    public void close() {
        awaitSteps();
        draining = false;
        for (Integer partition : new ArrayList<>(workers.keySet())) {
            release(partition);
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
