package io.lakestream.table;

import io.lakestream.table.registry.SchemaLookup;
import io.lakestream.table.write.PartitionWorker;
import io.lakestream.table.write.WriterClassLoader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every table topic of this broker, driven by one thread ({@code lakestream-table-topics}) in
 * a duty cycle: apply the latest set of led partitions, step each {@link TopicTable} (read,
 * convert, write, commit when due), and when none had work, sleep until the next commit is due
 * or a partition has new records.
 *
 * <p>The partition workers of a table topic (parse, convert, write Parquet) run at once on the
 * table writer threads, {@code lakestream-table-writer-N}, a pool shared by every table topic;
 * the loop waits for them, then hands the commit to the committer thread,
 * {@code lakestream-table-committer} (one commit of each table topic at a time, catalog I/O and
 * manifests), and goes on stepping the workers while it runs.
 *
 * <p>Table maintenance (snapshot expiry, small-file rewrites) runs on another thread,
 * {@code lakestream-table-maintenance}, one table at a time, so that it never holds up ingestion.
 *
 * <p>Thread-safe: {@link #update} and {@link #status} may be called from any thread; they hand
 * state to and from the loop thread, which alone owns the topic tables.
 */
public final class TableTopicService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TableTopicService.class);
    private static final long MAX_IDLE_MILLIS = 1_000;

    /** Default of {@link #TableTopicService}'s writer memory. */
    public static final long DEFAULT_WRITER_MEMORY_BYTES = 128L << 20;

    private final Catalog catalog;
    private final long writerMemoryBytes;
    private final Counter memoryReleases;
    private final SchemaLookup schemas;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final Semaphore wakeUps = new Semaphore(0);
    private final AtomicReference<List<LedPartition>> desired = new AtomicReference<>();
    private final ExecutorService maintenance = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lakestream-table-maintenance");
        thread.setDaemon(true);
        return thread;
    });
    private final ExecutorService writers;
    private final ExecutorService committer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "lakestream-table-committer");
        thread.setDaemon(true);
        return thread;
    });
    /** Owned by the loop thread. */
    private final Map<String, TopicTable> tables = new HashMap<>();
    private volatile List<TableStatus> statuses = List.of();
    private volatile boolean running;
    private Thread thread;

    public TableTopicService(Catalog catalog, MeterRegistry registry, LongSupplier clock) {
        this(catalog, SchemaLookup.NONE, DEFAULT_WRITER_MEMORY_BYTES, registry, clock);
    }

    /** As below, with a writer thread per processor. */
    public TableTopicService(Catalog catalog, SchemaLookup schemas, long writerMemoryBytes, MeterRegistry registry,
                             LongSupplier clock) {
        this(catalog, schemas, writerMemoryBytes, 0, registry, clock);
    }

    /**
     * @param schemas where the avro and protobuf formats find the schemas of the ids in record values
     * @param writerMemoryBytes about how much heap the open data files of every table topic may
     *     hold together; past it the fullest are closed early (smaller files, which table
     *     maintenance rewrites)
     * @param writerThreads how many partitions of table topics are written at once (0: one per processor)
     */
    public TableTopicService(Catalog catalog, SchemaLookup schemas, long writerMemoryBytes, int writerThreads,
                             MeterRegistry registry, LongSupplier clock) {
        this.catalog = catalog;
        this.schemas = schemas;
        this.writerMemoryBytes = writerMemoryBytes;
        this.registry = registry;
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        WriterClassLoader writerClassLoader = new WriterClassLoader(getClass().getClassLoader());
        this.writers = Executors.newFixedThreadPool(
            writerThreads > 0 ? writerThreads : Runtime.getRuntime().availableProcessors(), runnable -> {
                Thread thread = new Thread(runnable, "lakestream-table-writer-" + threads.incrementAndGet());
                thread.setDaemon(true);
                thread.setContextClassLoader(writerClassLoader);
                return thread;
            });
        this.memoryReleases = Counter.builder("lakestream.table.writer.memory.releases")
            .description("Open data files closed early because all table writers together held more than "
                + "table.writer.memory.bytes").register(registry);
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("Already started");
        }
        running = true;
        thread = new Thread(this::run, "lakestream-table-topics");
        thread.setDaemon(true);
        thread.start();
    }

    /** The partitions of table topics this broker leads now; replaces what an earlier call said. */
    public void update(Collection<LedPartition> ledHere) {
        desired.set(List.copyOf(ledHere));
        wakeUp();
    }

    /** The status of every table topic with a partition led here. */
    public List<TableStatus> status() {
        return statuses;
    }

    private void wakeUp() {
        wakeUps.release();
    }

    private void run() {
        while (running) {
            try {
                int work = doWork();
                if (work == 0) {
                    long now = clock.getAsLong();
                    long next = now + MAX_IDLE_MILLIS;
                    for (TopicTable table : tables.values()) {
                        next = Math.min(next, Math.max(now, table.nextCommitAt()));
                    }
                    if (wakeUps.tryAcquire(Math.max(1, next - now), TimeUnit.MILLISECONDS)) {
                        wakeUps.drainPermits();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                LOG.error("The table topic loop failed; going on", e);
            }
        }
    }

    /** One pass over every table topic: for the loop, and for tests that step it. Loop thread only. */
    int doWork() {
        List<LedPartition> next = desired.getAndSet(null);
        if (next != null) {
            reconcile(next);
        }
        int work = 0;
        List<TableStatus> current = new ArrayList<>();
        for (TopicTable table : tables.values()) {
            work += table.doWork();
            current.add(table.status());
        }
        statuses = current;
        limitWriterMemory();
        return work;
    }

    /**
     * While the open files of all table topics hold more than the budget, frees the fullest:
     * each partition writer may buffer up to a Parquet row group, and a broker leading many
     * partitions of table topics would otherwise run out of heap.
     */
    private void limitWriterMemory() {
        List<PartitionWorker> workers = new ArrayList<>();
        long total = 0;
        for (TopicTable table : tables.values()) {
            for (PartitionWorker worker : table.workers()) {
                workers.add(worker);
                total += worker.bufferedBytes();
            }
        }
        if (total <= writerMemoryBytes) {
            return;
        }
        workers.sort(Comparator.comparingLong(PartitionWorker::bufferedBytes).reversed());
        for (PartitionWorker worker : workers) {
            if (total <= writerMemoryBytes / 2) {
                break; // some headroom, so that one more chunk does not start this again
            }
            total -= worker.bufferedBytes();
            worker.releaseMemory();
            memoryReleases.increment();
        }
    }

    private void reconcile(List<LedPartition> ledHere) {
        Map<String, Map<Integer, LedPartition>> byTopic = new HashMap<>();
        for (LedPartition led : ledHere) {
            byTopic.computeIfAbsent(led.settings().topic(), topic -> new HashMap<>()).put(led.partition(), led);
        }
        for (String topic : new ArrayList<>(tables.keySet())) {
            Map<Integer, LedPartition> partitions = byTopic.get(topic);
            TopicTable table = tables.get(topic);
            if (partitions == null || !partitions.values().iterator().next().settings().equals(table.settings())) {
                tables.remove(topic).commitAndClose();
                LOG.info("Topic {} is no longer written to table {} by this broker", topic, table.settings().table());
            }
        }
        byTopic.forEach((topic, partitions) -> {
            TopicTable table = tables.computeIfAbsent(topic, t -> new TopicTable(
                partitions.values().iterator().next().settings(), catalog, schemas, clock, this::wakeUp, registry,
                maintenance, writers, committer));
            Map<Integer, PartitionSource> current = table.sources();
            current.forEach((partition, source) -> {
                LedPartition led = partitions.get(partition);
                if (led == null || led.source() != source) {
                    table.release(partition);
                }
            });
            partitions.forEach((partition, led) -> {
                if (current.get(partition) != led.source()) {
                    table.lead(partition, led.source());
                }
            });
        });
    }

    /**
     * Stops the loop, then commits what every table topic has written and stops its workers.
     * If the loop does not stop in time, nothing is committed (files are left behind, in no
     * snapshot, and their records are written again by the next leader).
     */
    @Override
    public void close() {
        Thread loop;
        synchronized (this) {
            running = false;
            loop = thread;
        }
        boolean stopped = true;
        if (loop != null) {
            wakeUp();
            try {
                loop.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped = !loop.isAlive();
        }
        // A rewrite under way finishes (its commit is atomic either way), none starts.
        maintenance.shutdown();
        if (!stopped) {
            writers.shutdown();
            committer.shutdown();
            LOG.warn("The table topic loop did not stop within 30 s; nothing more is committed");
            return;
        }
        // The loop thread has ended: this thread owns the tables now. Their last drains run on
        // the writer threads once the steps still running there ended (commitAndClose waits for
        // them), and their last commits on the committer thread, after any still in flight.
        try {
            tables.values().forEach(TopicTable::commitAndClose);
            tables.clear();
        } finally {
            writers.shutdown();
            committer.shutdown();
        }
    }
}
