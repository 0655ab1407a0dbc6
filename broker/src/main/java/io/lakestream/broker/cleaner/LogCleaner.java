package io.lakestream.broker.cleaner;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.ReadResult;
import io.lakestream.stream.StreamStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.OffsetMap;
import org.apache.kafka.storage.internals.log.SkimpyOffsetMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka log compaction for the partitions this broker leads whose {@code cleanup.policy}
 * includes {@code compact}: keeps the latest record of each key, and tombstones until
 * {@code delete.retention.ms} after a pass first saw them; records of aborted transactions go
 * and never count as the latest of their key ({@link AbortedRanges}).
 *
 * <p>A pass over a partition works as Kafka's cleaner does on segments: the keys of the dirty
 * part (from where the previous pass stopped to the first offset that cannot be cleaned yet)
 * go into an {@link OffsetMap} (Kafka's {@link SkimpyOffsetMap}, {@code log.cleaner.dedupe.buffer.size}
 * bytes), then everything from the log start up to there is filtered against it with
 * {@link CompactionFilter}. The filtered batches replace the old ones in the object store
 * through {@link StreamStore#rewrite}, keeping their offsets. A partition is cleaned when its
 * dirty part is at least {@code min.cleanable.dirty.ratio} of its cleanable records (the
 * records the previous pass kept plus the dirty offsets: Kafka weighs bytes, but a compacted
 * part's offsets far outnumber its records, so offsets alone would make a few new records,
 * such as tombstones, never due), when
 * it has been dirty for {@code max.compaction.lag.ms}, or when a kept tombstone's delete
 * horizon has passed. Records newer than {@code min.compaction.lag.ms}, above the high
 * watermark, or not yet in stream objects are not cleanable; a compacted partition keeps its
 * stream in stream objects for this ({@link io.lakestream.stream.Stream#keepInStreamObjects}).
 *
 * <p>Where a pass stopped is kept in memory only: after a restart or a move the first pass
 * treats the whole partition as dirty, which costs a full pass but loses nothing.
 *
 * <p>Threads: passes run one at a time on the cleaner's own thread, the next scheduled
 * {@code log.cleaner.backoff.ms} after one ends; reads and writes complete on the stream's
 * threads and continue here. {@link #cleanNow} steps one pass, for tests.
 */
public final class LogCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogCleaner.class);
    private static final int READ_BYTES = 1 << 20;
    /** A {@link SkimpyOffsetMap} entry: the key's MD5 and its offset (the map's own layout). */
    static final int MAP_ENTRY_BYTES = 16 + 8;
    static final int MIN_MAP_BYTES = 64 * 1024;

    /**
     * Where the previous pass over a stream stopped, how many records it kept below there, and
     * what makes the next one due.
     */
    private record Progress(long cleanedTo, long cleanRecords, long dirtySinceMs, long deleteHorizonMs) {
        static final Progress NONE = new Progress(0, 0, -1, Long.MAX_VALUE);
    }

    private final Supplier<Collection<PartitionLog>> logs;
    private final StreamStore streams;
    private final long backoffMs;
    private final int dedupeBufferBytes;
    private final double loadFactor;
    private final Time time;
    private final ScheduledExecutorService executor;
    private final Map<Long, Progress> progress = new ConcurrentHashMap<>();
    private final AtomicLong maxDirtyPercent = new AtomicLong();
    private final Counter recordsRead;
    private final Counter recordsRemoved;
    private final Counter bytesSaved;
    private final Timer passTime;
    private OffsetMap map;

    public LogCleaner(Supplier<Collection<PartitionLog>> logs, StreamStore streams, long backoffMs,
                      int dedupeBufferBytes, double loadFactor, Time time, MeterRegistry registry) {
        this.logs = logs;
        this.streams = streams;
        this.backoffMs = backoffMs;
        this.dedupeBufferBytes = dedupeBufferBytes;
        this.loadFactor = loadFactor;
        this.time = time;
        this.executor = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("lakestream-log-cleaner",
            true));
        this.recordsRead = Counter.builder("lakestream.log.cleaner.records.read")
            .description("Records a log cleaning pass read").register(registry);
        this.recordsRemoved = Counter.builder("lakestream.log.cleaner.records.removed")
            .description("Records log cleaning removed: overwritten keys, expired tombstones, keyless records")
            .register(registry);
        this.bytesSaved = Counter.builder("lakestream.log.cleaner.bytes.saved").baseUnit("bytes")
            .description("Object bytes log cleaning freed").register(registry);
        this.passTime = Timer.builder("lakestream.log.cleaner.pass.time")
            .description("One log cleaning pass over a partition").register(registry);
        Gauge.builder("lakestream.log.cleaner.max.dirty.percent", maxDirtyPercent, AtomicLong::get)
            .description("The largest dirty share of a compacted partition's cleanable records at the last check")
            .register(registry);
    }

    /** Starts the passes, the first one {@code log.cleaner.backoff.ms} from now. */
    public void start() {
        scheduleNext();
    }

    private void scheduleNext() {
        try {
            executor.schedule(() -> cleanAll().whenComplete((cleaned, error) -> {
                if (error != null) {
                    LOG.warn("Log cleaning pass failed; trying again in {} ms", backoffMs, Failures.cause(error));
                }
                scheduleNext();
            }), backoffMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // Closed while a pass ran.
        }
    }

    /** One pass over every partition led here, on the cleaner's thread; completes with how many were cleaned. */
    public CompletableFuture<Integer> cleanNow() {
        return CompletableFuture.supplyAsync(this::cleanAll, executor).thenCompose(pass -> pass);
    }

    private CompletableFuture<Integer> cleanAll() {
        maxDirtyPercent.set(0);
        Iterator<PartitionLog> each = logs.get().iterator();
        return cleanRest(each, 0);
    }

    private CompletableFuture<Integer> cleanRest(Iterator<PartitionLog> each, int cleaned) {
        if (!each.hasNext()) {
            return CompletableFuture.completedFuture(cleaned);
        }
        PartitionLog log = each.next();
        CompletableFuture<Boolean> one;
        try {
            one = clean(log);
        } catch (RuntimeException e) {
            one = CompletableFuture.failedFuture(e);
        }
        return one.handleAsync((done, error) -> {
            if (error != null) {
                LOG.warn("Cleaning {} failed; the next pass tries again: {}", log.topicPartition(),
                    Failures.cause(error).toString());
            }
            return Boolean.TRUE.equals(done);
        }, executor).thenCompose(done -> cleanRest(each, cleaned + (done ? 1 : 0)));
    }

    /** Cleans one partition if it is due; on the cleaner's thread. */
    private CompletableFuture<Boolean> clean(PartitionLog log) {
        LogConfig config = log.config();
        long streamId = log.stream().streamId();
        if (!config.compact) {
            progress.remove(streamId);
            return CompletableFuture.completedFuture(false);
        }
        long nowMs = time.milliseconds();
        return cleanableEnd(log, config, nowMs).thenComposeAsync(end -> {
            long start = log.logStartOffset();
            Progress last = progress.getOrDefault(streamId, Progress.NONE);
            long firstDirty = Math.max(last.cleanedTo(), start);
            long dirty = end - firstDirty;
            if (end <= start) {
                return CompletableFuture.completedFuture(false);
            }
            double dirtyRatio = dirty <= 0 ? 0 : (double) dirty / (last.cleanRecords() + dirty);
            maxDirtyPercent.accumulateAndGet((long) (dirtyRatio * 100), Math::max);
            long dirtySinceMs = dirty <= 0 ? -1 : last.dirtySinceMs() < 0 ? nowMs : last.dirtySinceMs();
            boolean due = dirty > 0 && (dirtyRatio >= config.minCleanableRatio
                || nowMs - dirtySinceMs >= config.maxCompactionLagMs)
                || last.deleteHorizonMs() <= nowMs;
            if (!due) {
                progress.put(streamId, new Progress(last.cleanedTo(), last.cleanRecords(), dirtySinceMs,
                    last.deleteHorizonMs()));
                return CompletableFuture.completedFuture(false);
            }
            long passStart = System.nanoTime();
            OffsetMap offsets = offsetMap(dirty);
            AbortedRanges aborted = new AbortedRanges(log.abortedTransactions());
            return fillMap(log, offsets, aborted, firstDirty, end)
                .thenComposeAsync(mapEnd -> rewrite(log, config, offsets, aborted, nowMs, mapEnd), executor)
                .whenComplete((ignored, error) -> passTime.record(System.nanoTime() - passStart, TimeUnit.NANOSECONDS));
        }, executor);
    }

    /**
     * The first offset this pass may not clean: the end of the stream's data in stream
     * objects, at most the last stable offset, and before any record newer than {@code min.compaction.lag.ms}.
     */
    private CompletableFuture<Long> cleanableEnd(PartitionLog log, LogConfig config, long nowMs) {
        // As Kafka: not past the last stable offset, where an open transaction may still commit or abort.
        long stableEnd = log.lastStableOffset();
        CompletableFuture<Long> rewritable = streams.rewritableEnd(log.stream().streamId())
            .thenApply(end -> Math.min(end, stableEnd));
        if (config.compactionLagMs <= 0) {
            return rewritable;
        }
        return rewritable.thenCombine(log.offsetForTimestamp(nowMs - config.compactionLagMs),
            (end, young) -> young.map(first -> Math.min(end, first.offset())).orElse(end));
    }

    /**
     * Puts the keys of whole batches from {@code from} into the map until {@code end} or until
     * it is full; completes with the offset after the last batch put.
     */
    private CompletableFuture<Long> fillMap(PartitionLog log, OffsetMap offsets, AbortedRanges aborted, long from,
                                            long end) {
        if (from >= end) {
            offsets.updateLatestOffset(end - 1);
            return CompletableFuture.completedFuture(end);
        }
        return log.read(from, READ_BYTES, true).thenComposeAsync(read -> {
            long next = putBatches(read, offsets, aborted, from, end);
            if (next == from) {
                offsets.updateLatestOffset(from - 1);
                return CompletableFuture.completedFuture(from);
            }
            return fillMap(log, offsets, aborted, next, end);
        }, executor);
    }

    /**
     * The offset after the last batch of {@code read} whose keys went into the map. Records of
     * aborted transactions are left out: they must not hide an earlier committed value.
     */
    private long putBatches(ReadResult read, OffsetMap offsets, AbortedRanges aborted, long from, long end) {
        long next = from;
        long capacity = (long) (offsets.slots() * loadFactor);
        for (MutableRecordBatch batch : read.records().batches()) {
            if (batch.lastOffset() < next) {
                continue;
            }
            if (batch.lastOffset() >= end || offsets.size() + batch.lastOffset() - batch.baseOffset() + 1 > capacity) {
                break;
            }
            if (!batch.isControlBatch() && !aborted.isAborted(batch)) {
                for (Record record : batch) {
                    if (record.hasKey()) {
                        put(offsets, record.key(), record.offset());
                    }
                }
            }
            next = batch.nextOffset();
        }
        if (next > from) {
            offsets.updateLatestOffset(next - 1);
        }
        return next;
    }

    private static void put(OffsetMap offsets, ByteBuffer key, long offset) {
        try {
            offsets.put(key, offset);
        } catch (DigestException e) {
            throw new IllegalStateException("The offset map cannot hash a key", e);
        }
    }

    private CompletableFuture<Boolean> rewrite(PartitionLog log, LogConfig config, OffsetMap offsets,
                                               AbortedRanges aborted, long nowMs, long mapEnd) {
        long streamId = log.stream().streamId();
        if (mapEnd <= log.logStartOffset()) {
            LOG.warn("Cannot clean {}: log.cleaner.dedupe.buffer.size holds too few keys for one batch",
                log.topicPartition());
            return CompletableFuture.completedFuture(false);
        }
        CompactionFilter filter = new CompactionFilter(offsets, aborted, nowMs, config.deleteRetentionMs);
        return streams.rewrite(streamId, mapEnd, batch -> filter.filter(batch.payload()), executor)
            .thenApply(result -> {
                Progress last = progress.getOrDefault(streamId, Progress.NONE);
                long dirtySince = result.endOffset() >= mapEnd ? -1 : last.dirtySinceMs();
                progress.put(streamId, new Progress(Math.max(last.cleanedTo(), result.endOffset()),
                    filter.recordsRetained(), dirtySince, filter.earliestDeleteHorizonMs()));
                recordsRead.increment(filter.recordsRead());
                recordsRemoved.increment(filter.recordsRead() - filter.recordsRetained());
                bytesSaved.increment(Math.max(0, result.bytesBefore() - result.bytesAfter()));
                LOG.info("Cleaned {} below offset {}: kept {} of {} records, {} of {} bytes", log.topicPartition(),
                    result.endOffset(), filter.recordsRetained(), filter.recordsRead(), result.bytesAfter(),
                    result.bytesBefore());
                return result.sourceObjects() > 0;
            });
    }

    /**
     * An empty map for a pass over {@code dirtyOffsets} offsets. A pass that needs a small part
     * of the dedupe buffer (the usual pass over {@code __consumer_offsets}: a few thousand
     * commits) gets a new map of its size, since clearing the whole buffer costs a pass a write
     * of every one of its bytes; small, so that the map is cheap to allocate and no humongous
     * object for the collector. The full buffer is allocated at the first pass that needs it,
     * so a broker without large compacted partitions pays nothing for it.
     */
    private OffsetMap offsetMap(long dirtyOffsets) {
        int bytes = mapBytes(dirtyOffsets, loadFactor, dedupeBufferBytes);
        if (bytes < dedupeBufferBytes) {
            return newMap(bytes);
        }
        if (map == null) {
            map = newMap(dedupeBufferBytes);
        } else {
            map.clear();
        }
        return map;
    }

    /**
     * Bytes of a map that holds {@code dirtyOffsets} keys below {@code loadFactor}, at least
     * {@value #MIN_MAP_BYTES}; the whole buffer if that is more than a sixteenth of it.
     */
    static int mapBytes(long dirtyOffsets, double loadFactor, int bufferBytes) {
        double needed = Math.ceil((dirtyOffsets + 1) / loadFactor) * MAP_ENTRY_BYTES;
        return needed > bufferBytes / 16.0 ? bufferBytes : (int) Math.max(MIN_MAP_BYTES, needed);
    }

    private static OffsetMap newMap(int bytes) {
        try {
            return new SkimpyOffsetMap(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no MD5 for the log cleaner's offset map", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
