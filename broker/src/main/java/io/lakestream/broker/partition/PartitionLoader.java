package io.lakestream.broker.partition;

import io.lakestream.broker.partition.IndexSegment.Name;
import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamRecordBatch;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.CompletedTxn;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.LogFileUtils;
import org.apache.kafka.storage.internals.log.LogValidator;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.apache.kafka.storage.internals.log.UnifiedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an opened stream into a {@link PartitionLog}: restores the time index and the
 * idempotent producers' state from the partition's newest persisted {@link IndexSegment}s
 * and replays the stream's batches after them (all of them, if there is no usable segment),
 * so that a retry sent to this broker after a restart or a partition move is still
 * recognised as a duplicate, and offsets by timestamp are found without reading the log.
 *
 * <p>A segment is used only if the stream still holds its anchor batch, its chain is whole
 * back to the log start, and the log start is one the segments know the position of;
 * otherwise the stream is replayed from its start, which is always correct, only slower.
 *
 * <p>Thread-safe; the load of one partition runs on the stream's and the object store's
 * completion threads.
 */
public final class PartitionLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLoader.class);
    private static final int REPLAY_READ_BYTES = 4 << 20;
    /** How many of the newest segments are tried before giving up on the persisted index. */
    private static final int SEGMENT_CANDIDATES = 3;

    private final Path producerStateRoot;
    private final ProducerStateManagerConfig producerStateConfig;
    private final int maxTransactionTimeoutMs;
    private final IndexSegmentStore indexStore;
    private final Time time;
    private final LogValidator.MetricsRecorder validationMetrics;

    public PartitionLoader(Path producerStateRoot, ProducerStateManagerConfig producerStateConfig,
                           int maxTransactionTimeoutMs, IndexSegmentStore indexStore, Time time,
                           LogValidator.MetricsRecorder validationMetrics) {
        this.producerStateRoot = producerStateRoot;
        this.producerStateConfig = producerStateConfig;
        this.maxTransactionTimeoutMs = maxTransactionTimeoutMs;
        this.indexStore = indexStore;
        this.time = time;
        this.validationMetrics = validationMetrics;
    }

    public CompletableFuture<PartitionLog> load(TopicPartition topicPartition, Stream stream, int leaderEpoch,
                                               LogConfig config) {
        long startNanos = System.nanoTime();
        long to = stream.confirmOffset();
        return restore(topicPartition, stream, config).thenCompose(restored -> {
            Replay replay = restored.orElseGet(() -> new Replay(stream.startOffset(),
                newProducerState(topicPartition, stream.streamId(), null, 0), new AbortedTransactions(List.of()),
                new TimeIndex(config.indexInterval, stream.startOffset()), null));
            long from = replay.next;
            return replay(stream, to, replay).thenApply(ignored -> {
                replay.producers.updateMapEndOffset(to);
                if (to > stream.startOffset()) {
                    LOG.info("Loaded {} (stream {}, epoch {}): {}replayed offsets {} to {} in {} ms", topicPartition,
                        stream.streamId(), stream.epoch(), restored.isPresent() ? "index restored, " : "",
                        from, to, (System.nanoTime() - startNanos) / 1_000_000);
                }
                return new PartitionLog(topicPartition, stream, leaderEpoch, config, replay.producers,
                    replay.abortedTxns, replay.index,
                    replay.lastBatch, new IndexCheckpoints(topicPartition, stream.streamId(), indexStore,
                        replay.newestSegment), time, validationMetrics);
            });
        });
    }

    /**
     * A replay in progress: the next offset to read, the producers and index as of it, the
     * last batch before it, and the newest segment the state came from (null if none), which
     * the partition's next checkpoint extends. Used by one replay's chain of reads at a time.
     */
    private static final class Replay {
        final ProducerStateManager producers;
        final AbortedTransactions abortedTxns;
        final TimeIndex index;
        final IndexSegment newestSegment;
        long next;
        PartitionLog.BatchRef lastBatch;

        Replay(long from, ProducerStateManager producers, AbortedTransactions abortedTxns, TimeIndex index,
               IndexSegment newestSegment) {
            this.next = from;
            this.producers = producers;
            this.abortedTxns = abortedTxns;
            this.index = index;
            this.newestSegment = newestSegment;
            this.lastBatch = newestSegment == null ? PartitionLog.BatchRef.NONE
                : new PartitionLog.BatchRef(newestSegment.anchorOffset(), newestSegment.anchorChecksum());
        }
    }

    /** The state of the newest usable chain of segments, or empty if there is none. */
    private CompletableFuture<Optional<Replay>> restore(TopicPartition topicPartition, Stream stream,
                                                       LogConfig config) {
        long startOffset = stream.startOffset();
        long confirmOffset = stream.confirmOffset();
        return indexStore.list(stream.streamId()).thenCompose(listing -> {
            List<Name> candidates = IndexSegmentStore.newestFirst(listing, confirmOffset);
            return tryCandidates(topicPartition, stream, config, listing,
                candidates.subList(0, Math.min(SEGMENT_CANDIDATES, candidates.size())), startOffset);
        }).exceptionally(error -> {
            LOG.warn("Cannot restore the index of {} from the object store; replaying its stream: {}",
                topicPartition, error.toString());
            return Optional.empty();
        });
    }

    /** The state of the first of {@code candidates} (newest first) that is anchored and whose chain is whole. */
    private CompletableFuture<Optional<Replay>> tryCandidates(TopicPartition topicPartition, Stream stream,
                                                             LogConfig config, Map<Name, Long> listing,
                                                             List<Name> candidates, long startOffset) {
        if (candidates.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        List<Name> rest = candidates.subList(1, candidates.size());
        return indexStore.read(stream.streamId(), listing, candidates.get(0))
            .thenCompose(segment -> segment.isEmpty()
                ? CompletableFuture.completedFuture(Optional.<Replay>empty())
                : restoreFrom(topicPartition, stream, config, listing, segment.get(), startOffset))
            .thenCompose(restored -> restored.isPresent() || rest.isEmpty()
                ? CompletableFuture.completedFuture(restored)
                : tryCandidates(topicPartition, stream, config, listing, rest, startOffset));
    }

    private CompletableFuture<Optional<Replay>> restoreFrom(TopicPartition topicPartition, Stream stream,
                                                           LogConfig config, Map<Name, Long> listing,
                                                           IndexSegment newest, long startOffset) {
        return holdsAnchor(stream, newest).thenCompose(anchored -> {
            if (!anchored) {
                LOG.info("Index segment {} of {} describes batches its stream does not hold; deleting it",
                    newest.name(), topicPartition);
                return indexStore.delete(stream.streamId(), List.of(newest.name()))
                    .thenApply(ignored -> Optional.<Replay>empty());
            }
            return indexStore.chainTo(stream.streamId(), listing, newest, startOffset)
                .thenApply(chain -> chain.flatMap(segments -> fromChain(topicPartition, stream, config, segments)));
        });
    }

    /** Whether the stream's batch at the segment's anchor offset is the one the segment names. */
    private static CompletableFuture<Boolean> holdsAnchor(Stream stream, IndexSegment segment) {
        if (segment.anchorOffset() < stream.startOffset()) {
            // Below the log start the batch may be gone; the segment is of no use then anyway.
            return CompletableFuture.completedFuture(false);
        }
        return stream.fetch(segment.anchorOffset(), segment.endOffset(), 1).thenApply(batches -> {
            if (batches.isEmpty()) {
                return false;
            }
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(batches.get(0).payload().duplicate())
                .batches()) {
                return batch.baseOffset() == segment.anchorOffset() && batch.nextOffset() == segment.endOffset()
                    && batch.checksum() == segment.anchorChecksum();
            }
            return false;
        });
    }

    /** The index and producers the chain describes, if it knows the position of the current log start. */
    private Optional<Replay> fromChain(TopicPartition topicPartition, Stream stream, LogConfig config,
                                       List<IndexSegment> chain) {
        IndexSegment newest = chain.get(chain.size() - 1);
        long startOffset = stream.startOffset();
        List<TimeIndex.Entry> entries = new ArrayList<>();
        chain.forEach(segment -> entries.addAll(segment.entries()));
        TimeIndex.Start start = newest.start();
        if (startOffset != start.offset()) {
            // Trimmed since: only a trim to an entry (as retention's are) has a known position.
            Optional<TimeIndex.Entry> at = entries.stream().filter(entry -> entry.offset() == startOffset).findFirst();
            if (at.isEmpty() || startOffset < start.offset()) {
                LOG.info("Index segments of {} do not know the position of log start {}; replaying its stream",
                    topicPartition, startOffset);
                return Optional.empty();
            }
            start = new TimeIndex.Start(startOffset, at.get().position());
        }
        TimeIndex index = new TimeIndex(config.indexInterval, start, newest.tail(), entries);
        index.trimBefore(start.offset(), start.position());
        ProducerStateManager producers = newProducerState(topicPartition, stream.streamId(), newest, startOffset);
        AbortedTransactions abortedTxns = new AbortedTransactions(newest.abortedTxns());
        abortedTxns.trimBefore(startOffset);
        return Optional.of(new Replay(newest.endOffset(), producers, abortedTxns, index, newest));
    }

    /**
     * Kafka's producer state manager in a fresh directory: the persisted state lives in the
     * object store, so a local snapshot is only the one {@code segment} carries (none if null),
     * loaded the way Kafka loads its own.
     */
    private ProducerStateManager newProducerState(TopicPartition topicPartition, long streamId, IndexSegment segment,
                                                  long startOffset) {
        File dir = producerStateRoot.resolve(topicPartition + "-" + streamId).toFile();
        try {
            if (dir.exists()) {
                Utils.delete(dir);
            }
            Files.createDirectories(dir.toPath());
            if (segment != null) {
                try (FileChannel channel = FileChannel.open(
                    LogFileUtils.producerSnapshotFile(dir, segment.endOffset()).toPath(),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer snapshot = segment.producerSnapshot().duplicate();
                    while (snapshot.hasRemaining()) {
                        channel.write(snapshot);
                    }
                }
            }
            ProducerStateManager producers = new ProducerStateManager(topicPartition, dir, maxTransactionTimeoutMs,
                producerStateConfig, time);
            if (segment != null) {
                producers.truncateAndReload(startOffset, segment.endOffset(), time.milliseconds());
            }
            return producers;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the producer state directory " + dir, e);
        }
    }

    private CompletableFuture<Void> replay(Stream stream, long end, Replay replay) {
        long offset = replay.next;
        if (offset >= end) {
            return CompletableFuture.completedFuture(null);
        }
        ProducerStateManager producers = replay.producers;
        return stream.fetch(offset, end, REPLAY_READ_BYTES).thenCompose(batches -> {
            long next = offset;
            Map<Long, ProducerAppendInfo> loaded = new HashMap<>();
            List<CompletedTxn> completed = new ArrayList<>();
            for (StreamRecordBatch element : batches) {
                for (MutableRecordBatch batch : MemoryRecords.readableRecords(element.payload().duplicate()).batches()) {
                    PartitionLog.updateProducers(producers, batch, loaded, AppendOrigin.REPLICATION, completed);
                    replay.index.onAppend(batch.baseOffset(), batch.maxTimestamp(), batch.sizeInBytes(),
                        batch.partitionLeaderEpoch());
                    replay.lastBatch = new PartitionLog.BatchRef(batch.baseOffset(), batch.checksum());
                }
                next = element.endOffset();
            }
            loaded.values().forEach(producers::update);
            PartitionLog.completeTransactions(producers, replay.abortedTxns, completed);
            if (next <= offset) {
                return CompletableFuture.completedFuture(null);
            }
            replay.next = next;
            return replay(stream, end, replay);
        });
    }
}
