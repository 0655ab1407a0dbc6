package io.lakestream.broker.partition;

import io.lakestream.broker.network.Failures;
import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamException;
import io.lakestream.stream.StreamRecordBatch;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.message.AbortedTxn;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.PrimitiveRef;
import org.apache.kafka.server.record.BrokerCompressionType;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.BatchMetadata;
import org.apache.kafka.storage.internals.log.CompletedTxn;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.LogOffsetMetadata;
import org.apache.kafka.storage.internals.log.LogValidator;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateEntry;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.UnifiedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition this broker leads: Kafka's log semantics over a {@link Stream}, whose offsets
 * are the partition's offsets and whose elements are record batches.
 *
 * <p>An append is validated and stamped as Apache Kafka's leader does it, with Kafka's own
 * {@link LogValidator} (CRC, magic, sizes, timestamps, offsets and leader epoch assigned in
 * place) and {@link ProducerStateManager} (idempotent producers' sequence checks); then each
 * batch becomes one stream element. The append's future completes when the write-ahead log
 * has made it durable, so the high watermark is the stream's confirmed end.
 *
 * <p>Thread-safe: appends are serialized by this object's lock, because offset assignment,
 * producer state and the stream's next offset must move together; trims are chained one after
 * another; reads run concurrently and never take the lock (the last stable offset comes from
 * the {@link UnstableOffsets} the appends publish).
 */
public final class PartitionLog {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    private static final short TRANSACTION_VERSION = 0;
    /** How much one read fetches while a trim sums the batch sizes below its offset. */
    private static final int POSITION_READ_BYTES = 1 << 20;

    private final TopicPartition topicPartition;
    private final Stream stream;
    private final int leaderEpoch;
    /** Where this broker's leadership began: the end offset of every earlier leader epoch. */
    private final long leaderEpochStartOffset;
    private final ProducerStateManager producers;
    private final AbortedTransactions abortedTxns;
    private final TimeIndex timeIndex;
    private final Time time;
    private final LogValidator.MetricsRecorder validationMetrics;
    private final Set<Runnable> appendWaiters = ConcurrentHashMap.newKeySet();
    private final Object trimLock = new Object();
    /** Guarded by {@code trimLock}: the latest trim; the next one starts when it completes. */
    private CompletableFuture<TrimResult> lastTrim = CompletableFuture.completedFuture(null);
    private final IndexCheckpoints checkpoints;
    /** Guarded by this object's lock, with the appends: the last batch appended or replayed, and its write. */
    private BatchRef lastBatch;
    private CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
    /** Completed once, with the stream's failure, when an append finds the stream unusable. */
    private final CompletableFuture<StreamException> failed = new CompletableFuture<>();
    private volatile LogConfig config;
    /** Published under this object's lock by appends that change it; fetches read it without the lock. */
    private volatile UnstableOffsets unstable;

    PartitionLog(TopicPartition topicPartition, Stream stream, int leaderEpoch, LogConfig config,
                 ProducerStateManager producers, AbortedTransactions abortedTxns, TimeIndex timeIndex,
                 BatchRef lastBatch, IndexCheckpoints checkpoints, Time time,
                 LogValidator.MetricsRecorder validationMetrics) {
        this.topicPartition = topicPartition;
        this.stream = stream;
        this.leaderEpoch = leaderEpoch;
        this.leaderEpochStartOffset = stream.nextOffset();
        this.config = config;
        stream.keepInStreamObjects(config.compact);
        this.producers = producers;
        this.abortedTxns = abortedTxns;
        // A stream opens with all it holds durable: every ended transaction's marker is below the
        // high watermark, and only open transactions hold the stable offset back.
        producers.onHighWatermarkUpdated(stream.confirmOffset());
        this.unstable = UnstableOffsets.open(producers.firstUndecidedOffset());
        this.timeIndex = timeIndex;
        this.lastBatch = lastBatch;
        this.checkpoints = checkpoints;
        this.time = time;
        this.validationMetrics = validationMetrics;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Stream stream() {
        return stream;
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /**
     * The end offset of {@code epoch} for OffsetForLeaderEpoch. There are no replicas whose
     * logs could diverge, so what matters is only that no consumer sees a truncation: every
     * earlier epoch ends where this leadership began.
     */
    public long endOffsetForEpoch(int epoch) {
        return epoch >= leaderEpoch ? stream.nextOffset() : leaderEpochStartOffset;
    }

    /**
     * Kafka's check of the leader epoch a client sent: NONE if it sent none or the current
     * one; FENCED_LEADER_EPOCH if older; UNKNOWN_LEADER_EPOCH if newer than this broker knows.
     */
    public Errors checkLeaderEpoch(int requestEpoch) {
        if (requestEpoch == RecordBatch.NO_PARTITION_LEADER_EPOCH || requestEpoch == leaderEpoch) {
            return Errors.NONE;
        }
        return requestEpoch < leaderEpoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    public LogConfig config() {
        return config;
    }

    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
        // The log cleaner rewrites a compacted partition's stream, which only works on stream objects.
        stream.keepInStreamObjects(newConfig.compact);
    }

    public long logStartOffset() {
        return stream.startOffset();
    }

    /** The end of what is durable: consumers read up to here. */
    public long highWatermark() {
        return stream.confirmOffset();
    }

    /** The offset the next record gets. */
    public long logEndOffset() {
        return stream.nextOffset();
    }

    /**
     * The idempotent producers whose state this partition keeps, as Kafka's
     * {@code UnifiedLog.activeProducers} reports them for DescribeProducers.
     */
    public synchronized List<ProducerState> activeProducers() {
        List<ProducerState> active = new ArrayList<>();
        producers.activeProducers().forEach((producerId, entry) -> {
            int lastSequence = RecordBatch.NO_SEQUENCE;
            for (BatchMetadata batch : entry.batchMetadata()) {
                lastSequence = batch.lastSeq();
            }
            active.add(new ProducerState()
                .setProducerId(producerId)
                .setProducerEpoch(entry.producerEpoch())
                .setLastSequence(lastSequence)
                .setLastTimestamp(entry.lastTimestamp())
                .setCoordinatorEpoch(entry.coordinatorEpoch())
                .setCurrentTxnStartOffset(entry.currentTxnFirstOffset().orElse(-1L)));
        });
        return active;
    }

    /**
     * Runs {@code waiter} once, on the thread that completes the next append, when the high
     * watermark moves. A long-polling fetch waits this way; closing the returned handle
     * forgets the waiter (the fetch timed out).
     */
    public AutoCloseable onNextAppend(Runnable waiter) {
        appendWaiters.add(waiter);
        return () -> appendWaiters.remove(waiter);
    }

    /**
     * Runs the waiters registered before this append completed. A waiter that throws is
     * logged and skipped: the append it follows is durable, and its producer must hear so.
     */
    private void wakeWaiters() {
        for (Runnable waiter : appendWaiters) {
            if (appendWaiters.remove(waiter)) {
                try {
                    waiter.run();
                } catch (RuntimeException e) {
                    LOG.error("A waiter on {} failed after an append", topicPartition, e);
                }
            }
        }
    }

    /**
     * Validates {@code records} as the partition leader, assigns their offsets and appends
     * them. Fails with the {@link org.apache.kafka.common.errors.ApiException} Kafka would
     * return (record too large, corrupt record, invalid timestamp, out-of-order sequence, ...)
     * and then appends nothing. A retried batch of an idempotent producer is answered with its
     * original offsets and not appended again.
     */
    public CompletableFuture<AppendResult> appendAsLeader(MemoryRecords records, AppendOrigin origin) {
        return append(records, origin).durable();
    }

    /**
     * As {@link #appendAsLeader}, for a writer that needs the offsets an append was given before
     * it is durable: Kafka's coordinator runtime, which numbers its own records and checks the
     * log's end after each write.
     */
    public PendingAppend append(MemoryRecords records, AppendOrigin origin) {
        if (failed.isDone()) {
            throw new NotLeaderOrFollowerException("The stream of " + topicPartition + " failed on this broker: "
                + failed.join().getMessage());
        }
        LogConfig current = config;
        CompressionType sourceCompression = checkBatches(records, current, origin);
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        AppendResult result;
        synchronized (this) {
            long firstOffset = stream.nextOffset();
            PrimitiveRef.LongRef offsetCounter = PrimitiveRef.ofLong(firstOffset);
            LogValidator.ValidationResult validated = new LogValidator(records, topicPartition, time,
                sourceCompression, BrokerCompressionType.targetCompression(current.compression, sourceCompression),
                current.compact, RecordBatch.CURRENT_MAGIC_VALUE, current.messageTimestampType,
                current.messageTimestampBeforeMaxMs, current.messageTimestampAfterMaxMs, leaderEpoch, origin)
                .validateMessagesAndAssignOffsets(offsetCounter, validationMetrics, BufferSupplier.NO_CACHING);
            MemoryRecords valid = validated.validatedRecords();
            if (validated.messageSizeMaybeChanged()) {
                for (MutableRecordBatch batch : valid.batches()) {
                    requireSize(batch, current);
                }
            }
            Optional<BatchMetadata> duplicate = origin == AppendOrigin.CLIENT ? findDuplicate(valid) : Optional.empty();
            if (duplicate.isPresent()) {
                // As Kafka's UnifiedLog: the retry is answered with the original batch's offsets and, as its
                // log append time, the timestamp that batch was appended with, whatever the timestamp type.
                BatchMetadata original = duplicate.get();
                AppendResult retried = new AppendResult(original.firstOffset(), original.lastOffset(),
                    original.timestamp(), stream.startOffset(), true);
                return new PendingAppend(retried, CompletableFuture.completedFuture(retried));
            }
            if (origin == AppendOrigin.CLIENT && firstOffset == 0) {
                requireFirstSequences(valid);
            }
            Map<Long, ProducerAppendInfo> updated = new HashMap<>();
            List<CompletedTxn> completed = new ArrayList<>();
            long firstTransactional = -1;
            for (MutableRecordBatch batch : valid.batches()) {
                // Throws (OutOfOrderSequence, InvalidProducerEpoch, ...) before anything is written.
                updateProducers(producers, batch, updated, origin, completed);
                if (firstTransactional < 0 && batch.isTransactional()) {
                    firstTransactional = batch.baseOffset();
                }
            }
            if (firstTransactional >= 0) {
                // Before the stream has the batches: the high watermark may pass them before this block ends.
                unstable = unstable.holdingAt(firstTransactional);
            }
            int batchPosition = 0;
            for (MutableRecordBatch batch : valid.batches()) {
                ByteBuffer payload = batchBuffer(valid, batchPosition, batch);
                batchPosition += batch.sizeInBytes();
                int count = (int) (batch.lastOffset() - batch.baseOffset() + 1);
                appends.add(stream.append(batch.baseOffset(), count, payload));
                timeIndex.onAppend(batch.baseOffset(), batch.maxTimestamp(), batch.sizeInBytes(), leaderEpoch);
                lastBatch = new BatchRef(batch.baseOffset(), batch.checksum());
            }
            updated.values().forEach(producers::update);
            if (firstTransactional >= 0) {
                long highWatermark = stream.confirmOffset();
                producers.onHighWatermarkUpdated(highWatermark);
                completeTransactions(producers, abortedTxns, completed);
                unstable = unstable.afterAppend(producers.firstUndecidedOffset(), completed, highWatermark);
            }
            producers.updateMapEndOffset(offsetCounter.value);
            lastAppend = appends.get(appends.size() - 1);
            long appendTime = current.messageTimestampType == TimestampType.LOG_APPEND_TIME
                ? validated.logAppendTimeMs() : RecordBatch.NO_TIMESTAMP;
            result = new AppendResult(firstOffset, offsetCounter.value - 1, appendTime, stream.startOffset(), false);
        }
        return new PendingAppend(result, CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
            .handle((ignored, error) -> {
                if (error != null) {
                    throw onAppendFailure(Failures.cause(error));
                }
                wakeWaiters();
                return result;
            }));
    }

    /**
     * An append whose offsets are assigned.
     *
     * @param result where the records landed
     * @param durable completes with {@code result} once the write-ahead log has made them
     *     durable (the high watermark has passed them), or fails as {@link #appendAsLeader} does
     */
    public record PendingAppend(AppendResult result, CompletableFuture<AppendResult> durable) {}

    /**
     * An append that the stream refused leaves it unusable here (its next offset has moved past
     * a batch that was not written): the partition fails, and the client gets the error Kafka
     * gives for the same cause, which it retries: NOT_LEADER_OR_FOLLOWER if another broker
     * opened the stream or it was closed, KAFKA_STORAGE_ERROR if the write-ahead log failed.
     */
    private RuntimeException onAppendFailure(Throwable cause) {
        if (!(cause instanceof StreamException streamError)) {
            return cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
        }
        failed.complete(streamError);
        String message = "The append to " + topicPartition + " failed: " + streamError.getMessage();
        return switch (streamError.reason()) {
            case FENCED, CLOSED -> new NotLeaderOrFollowerException(message);
            default -> new KafkaStorageException(message);
        };
    }

    /**
     * On a partition that has never held a record no producer has written anything, so each
     * producer's first batch must start at sequence 0. Kafka takes any sequence from a producer
     * it does not know (its state may have expired), but here that lets a batch in ahead of the
     * producer's earlier ones when those were refused while the partition was still opening
     * (NOT_LEADER_OR_FOLLOWER): retried after the later batch landed, they would be refused as
     * out of order for ever, and the producer would never finish. OUT_OF_ORDER_SEQUENCE_NUMBER
     * makes it retry the later batch after the earlier ones instead.
     */
    private void requireFirstSequences(MemoryRecords records) {
        Set<Long> seen = new HashSet<>();
        for (RecordBatch batch : records.batches()) {
            if (batch.hasProducerId() && seen.add(batch.producerId()) && batch.baseSequence() != 0
                && producers.lastEntry(batch.producerId()).isEmpty()) {
                throw new OutOfOrderSequenceException("Producer " + batch.producerId() + " starts " + topicPartition
                    + " at sequence " + batch.baseSequence() + ", but the partition holds no record yet: its batches"
                    + " from sequence 0 must come first");
            }
        }
    }

    /**
     * Kafka's producer state update for one batch, shared by appends and loads: sequence and
     * epoch checks, and for a transactional batch the transaction's first offset (what holds
     * the last stable offset back); a commit or abort marker adds the transaction it ends to
     * {@code completed}.
     */
    static void updateProducers(ProducerStateManager producers, RecordBatch batch,
                                Map<Long, ProducerAppendInfo> updated, AppendOrigin origin,
                                List<CompletedTxn> completed) {
        if (!batch.hasProducerId()) {
            return;
        }
        Optional<LogOffsetMetadata> firstOffset = batch.isTransactional()
            ? Optional.of(new LogOffsetMetadata(batch.baseOffset())) : Optional.empty();
        UnifiedLog.updateProducers(producers, batch, updated, firstOffset, origin, TRANSACTION_VERSION)
            .ifPresent(completed::add);
    }

    /** After the producers' updates: ended transactions leave the producer state, aborted ones are indexed. */
    static void completeTransactions(ProducerStateManager producers, AbortedTransactions abortedTxns,
                                     List<CompletedTxn> completed) {
        for (CompletedTxn txn : completed) {
            abortedTxns.onCompleted(txn, producers.lastStableOffset(txn));
            producers.completeTxn(txn);
        }
    }

    /**
     * Writes the marker that ends a transaction of {@code producerId} here: what Kafka's
     * WriteTxnMarkers does on each partition of the transaction, for the transaction
     * coordinator. Completes once the marker is durable; read-committed consumers then see the
     * transaction's records (commit) or are told to drop them (abort).
     */
    public CompletableFuture<AppendResult> appendTxnMarker(long producerId, short producerEpoch, int coordinatorEpoch,
                                                         ControlRecordType type) {
        MemoryRecords marker = MemoryRecords.withEndTransactionMarker(time.milliseconds(), producerId, producerEpoch,
            new EndTransactionMarker(type, coordinatorEpoch));
        return appendAsLeader(marker, AppendOrigin.COORDINATOR);
    }

    /**
     * Kafka's last stable offset: the high watermark, or below it the first offset of a
     * transaction that is still open (or whose marker is not yet durable). Read-committed
     * consumers read up to it.
     */
    public long lastStableOffset() {
        long startOffset = stream.startOffset();
        return lastStableOffset(startOffset, stream.confirmOffset());
    }

    /**
     * The last stable offset at {@code highWatermark}, read after it: an append publishes what
     * holds the stable offset back before the high watermark can pass its batches. As Kafka's, it
     * is never below the log start, which DeleteRecords may move past an open transaction's start.
     */
    private long lastStableOffset(long startOffset, long highWatermark) {
        return Math.max(startOffset, unstable.lastStableOffset(highWatermark));
    }

    /** The end of what a fetch with {@code isolation} may read: the high watermark or the last stable offset. */
    public long readableEnd(IsolationLevel isolation) {
        return isolation == IsolationLevel.READ_COMMITTED ? lastStableOffset() : stream.confirmOffset();
    }

    /**
     * Every aborted transaction above the log start, with its first offset and the offset of
     * its abort marker: the log cleaner drops their records, as Kafka's cleaner does.
     */
    public List<AbortedTxn> abortedTransactions() {
        return abortedTxns.all();
    }

    /** Completes, once, with the stream's failure when an append found the stream unusable. */
    public CompletableFuture<StreamException> whenFailed() {
        return failed.thenApply(error -> error);
    }

    /** Kafka's per-batch checks before validation: base offset, size, CRC; returns the source compression. */
    private CompressionType checkBatches(MemoryRecords records, LogConfig current, AppendOrigin origin) {
        CompressionType sourceCompression = CompressionType.NONE;
        boolean any = false;
        for (MutableRecordBatch batch : records.batches()) {
            any = true;
            if (batch.magic() >= RecordBatch.MAGIC_VALUE_V2 && origin == AppendOrigin.CLIENT && batch.baseOffset() != 0) {
                throw new InvalidRecordException("The baseOffset of the record batch in the append to "
                    + topicPartition + " should be 0, but it is " + batch.baseOffset());
            }
            requireSize(batch, current);
            if (!batch.isValid()) {
                validationMetrics.recordInvalidChecksums();
                throw new CorruptRecordException("Record is corrupt (stored crc = " + batch.checksum()
                    + ") in topic partition " + topicPartition + ".");
            }
            if (batch.compressionType() != CompressionType.NONE) {
                sourceCompression = batch.compressionType();
            }
        }
        if (!any || records.validBytes() != records.sizeInBytes()) {
            throw new CorruptRecordException("The records in the append to " + topicPartition
                + " are empty or end with a partial batch");
        }
        return sourceCompression;
    }

    private void requireSize(RecordBatch batch, LogConfig current) {
        if (batch.sizeInBytes() > current.maxMessageSize()) {
            throw new RecordTooLargeException("The record batch size in the append to " + topicPartition + " is "
                + batch.sizeInBytes() + " bytes which exceeds the maximum configured value of "
                + current.maxMessageSize() + ".");
        }
    }

    /** The earlier append a retried idempotent batch duplicates, as Kafka's ProducerStateEntry finds it. */
    private Optional<BatchMetadata> findDuplicate(MemoryRecords valid) {
        for (MutableRecordBatch batch : valid.batches()) {
            if (!batch.hasProducerId()) {
                continue;
            }
            Optional<ProducerStateEntry> entry = producers.lastEntry(batch.producerId());
            if (entry.isPresent() && entry.get().producerEpoch() == batch.producerEpoch()) {
                for (BatchMetadata appended : entry.get().batchMetadata()) {
                    if (appended.firstSeq() == batch.baseSequence() && appended.lastSeq() == batch.lastSequence()) {
                        return Optional.of(appended);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A view, not a copy, of the batch that starts {@code position} bytes into the validated
     * records (their batches are contiguous): the stream copies what it appends.
     */
    private static ByteBuffer batchBuffer(MemoryRecords records, int position, MutableRecordBatch batch) {
        ByteBuffer all = records.buffer();
        return all.slice(all.position() + position, batch.sizeInBytes());
    }

    /**
     * Reads whole batches from the one holding {@code fetchOffset}, up to the high watermark
     * and about {@code maxBytes}. With {@code minOneBatch} the first batch is returned even if it
     * is larger than {@code maxBytes} (KIP-74), so a consumer is never stuck behind a big batch.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or past the log end
     */
    public CompletableFuture<ReadResult> read(long fetchOffset, int maxBytes, boolean minOneBatch) {
        return read(fetchOffset, maxBytes, minOneBatch, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * As {@link #read(long, int, boolean)}, for a consumer with {@code isolation}: a
     * read-committed one reads up to the last stable offset and is told which aborted
     * transactions have records in what it read.
     */
    public CompletableFuture<ReadResult> read(long fetchOffset, int maxBytes, boolean minOneBatch,
                                              IsolationLevel isolation) {
        long startOffset = stream.startOffset();
        long highWatermark = stream.confirmOffset();
        long lastStableOffset = lastStableOffset(startOffset, highWatermark);
        boolean readCommitted = isolation == IsolationLevel.READ_COMMITTED;
        long readEnd = readCommitted ? lastStableOffset : highWatermark;
        long endOffset = stream.nextOffset();
        if (fetchOffset < startOffset || fetchOffset > endOffset) {
            return CompletableFuture.failedFuture(new OffsetOutOfRangeException("Offset " + fetchOffset
                + " is out of range for partition " + topicPartition + ": the log starts at " + startOffset
                + " and ends at " + endOffset));
        }
        if (fetchOffset >= readEnd || (maxBytes <= 0 && !minOneBatch)) {
            return CompletableFuture.completedFuture(ReadResult.empty(highWatermark, lastStableOffset, startOffset,
                readCommitted ? List.of() : null));
        }
        return stream.fetch(fetchOffset, readEnd, Math.max(maxBytes, 1)).thenApply(batches -> {
            // The payloads are read-only views of cached batches: the result keeps them, copying nothing.
            List<ByteBuffer> taken = new ArrayList<>(batches.size());
            long total = 0;
            for (StreamRecordBatch batch : batches) {
                int size = batch.payloadSize();
                if (total + size > maxBytes && (!taken.isEmpty() || !minOneBatch)) {
                    break;
                }
                total += size;
                taken.add(batch.payload());
            }
            List<FetchResponseData.AbortedTransaction> aborted = null;
            if (readCommitted) {
                long upperBound = taken.isEmpty() ? fetchOffset : batches.get(taken.size() - 1).endOffset();
                aborted = abortedTxns.overlapping(fetchOffset, upperBound);
            }
            return new ReadResult(taken, highWatermark, lastStableOffset, startOffset, aborted);
        });
    }

    /**
     * The first offset whose record timestamp is at least {@code timestampMs}, with its
     * timestamp, or empty if every record is older (Kafka's ListOffsets by timestamp).
     */
    public CompletableFuture<Optional<TimestampAndOffset>> offsetForTimestamp(long timestampMs) {
        long highWatermark = stream.confirmOffset();
        long from = Math.max(stream.startOffset(), timeIndex.lookupStart(timestampMs));
        return new TimestampSearch(this, timestampMs, highWatermark).searchFrom(from);
    }

    /** The record with the largest timestamp and its offset (ListOffsets MAX_TIMESTAMP). */
    public CompletableFuture<Optional<TimestampAndOffset>> maxTimestamp() {
        Optional<TimestampAndOffset> batch = timeIndex.maxTimestampBatch();
        if (batch.isEmpty() || batch.get().offset() < stream.startOffset()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return TimestampSearch.resolveRecord(this, batch.get());
    }

    /**
     * Moves the log start offset forward (DeleteRecords, retention) and completes with what that
     * removed. The stream is trimmed at the controller, so the new start survives restarts and
     * whole objects below it become garbage. Trims of one partition run one at a time, in call
     * order; a trim to or below the current start removes nothing.
     *
     * @throws OffsetOutOfRangeException (through the future) for an offset past the high watermark
     */
    public CompletableFuture<TrimResult> trim(long newStartOffset) {
        synchronized (trimLock) {
            CompletableFuture<TrimResult> trim = lastTrim.handle((ignored, error) -> null)
                .thenCompose(ignored -> trimNow(newStartOffset));
            lastTrim = trim;
            return trim;
        }
    }

    /** Runs after every earlier trim has completed. */
    private CompletableFuture<TrimResult> trimNow(long newStartOffset) {
        long startOffset = stream.startOffset();
        long startPosition = timeIndex.start().position();
        if (newStartOffset <= startOffset) {
            return CompletableFuture.completedFuture(new TrimResult(startOffset, startOffset, 0));
        }
        long highWatermark = stream.confirmOffset();
        if (newStartOffset > highWatermark) {
            return CompletableFuture.failedFuture(new OffsetOutOfRangeException("Cannot trim " + topicPartition
                + " to offset " + newStartOffset + ", past its high watermark " + highWatermark));
        }
        // The position is read before the trim: afterwards the batches below the new start are gone.
        return positionOfBatchHolding(newStartOffset, startOffset, startPosition)
            .thenCompose(position -> stream.trim(newStartOffset).thenApply(ignored -> {
                synchronized (this) {
                    producers.onLogStartOffsetIncremented(newStartOffset);
                }
                abortedTxns.trimBefore(newStartOffset);
                timeIndex.trimBefore(newStartOffset, position);
                return new TrimResult(startOffset, newStartOffset, position - startPosition);
            }));
    }

    /**
     * The position of the batch that holds {@code offset}, or starts at it: the nearest known
     * position at or before it (an index entry, or the log start) plus the sizes of the batches
     * in between, which are about {@code index.interval.bytes} at most. A trim to an index entry,
     * as retention's are, reads nothing.
     */
    private CompletableFuture<Long> positionOfBatchHolding(long offset, long startOffset, long startPosition) {
        Optional<TimeIndex.Entry> floor = timeIndex.floor(offset);
        if (floor.isPresent() && floor.get().offset() >= startOffset) {
            return addBatchSizes(floor.get().offset(), offset, floor.get().position());
        }
        return addBatchSizes(startOffset, offset, startPosition);
    }

    /**
     * {@code position}, the position of the batch holding {@code from}, plus the sizes of the
     * batches from that one on that end at or before {@code offset}.
     */
    private CompletableFuture<Long> addBatchSizes(long from, long offset, long position) {
        if (from >= offset) {
            return CompletableFuture.completedFuture(position);
        }
        return stream.fetch(from, offset, POSITION_READ_BYTES).thenCompose(batches -> {
            long next = from;
            long sum = position;
            for (StreamRecordBatch batch : batches) {
                if (batch.endOffset() > offset) {
                    return CompletableFuture.completedFuture(sum);
                }
                sum += batch.payloadSize();
                next = batch.endOffset();
            }
            if (next <= from) {
                return CompletableFuture.failedFuture(new IllegalStateException("The stream of " + topicPartition
                    + " returned no batch at offset " + from + " below its high watermark"));
            }
            return addBatchSizes(next, offset, sum);
        });
    }

    /**
     * The bytes of the batches from the one that holds the log start offset to the log end:
     * retention's measure and DescribeLogDirs' partition size.
     */
    public long sizeInBytes() {
        return timeIndex.sizeInBytes();
    }

    /** The partition's sparse index of timestamps and positions, for retention. */
    TimeIndex index() {
        return timeIndex;
    }

    /**
     * Persists the index and the producers' state as of the last append, once that append is
     * durable, so that the next broker to open the partition replays only what follows. Calls
     * run one at a time; completes with false if there was nothing new or the append failed.
     */
    public CompletableFuture<Boolean> checkpointIndex() {
        return checkpoints.checkpoint(this);
    }

    /** How this partition was loaded: the end of the persisted index it restored, -1 if it replayed its stream. */
    long restoredIndexEndOffset() {
        return checkpoints.restoredEndOffset();
    }

    /** What a checkpoint needs, taken under the append lock so that it is one consistent state. */
    synchronized IndexCheckpoints.State checkpointState() {
        return new IndexCheckpoints.State(stream.nextOffset(), lastBatch, timeIndex,
            timeIndex.start(), timeIndex.tail(),
            // No batch, no checkpoint (IndexCheckpoints skips it): and Kafka writes no producer
            // snapshot of an empty log, so asking for one would fail, every interval, for every
            // partition never written to (most of __consumer_offsets').
            lastBatch.offset() < 0 ? ByteBuffer.allocate(0) : producerSnapshot(), abortedTxns.all(), lastAppend);
    }

    /** The producers' state in Kafka's snapshot file format, as of the last append. */
    private ByteBuffer producerSnapshot() {
        try {
            producers.takeSnapshot(false);
            long offset = producers.mapEndOffset();
            File file = producers.fetchSnapshot(offset).orElseThrow(() ->
                new IllegalStateException("No producer snapshot at " + offset + " for " + topicPartition));
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file.toPath()));
            producers.deleteSnapshotsBefore(offset);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot snapshot the producers of " + topicPartition, e);
        }
    }

    /** Checkpoints the index (a failure is logged, not fatal), then closes the stream; later calls fail. */
    public CompletableFuture<Void> close() {
        return checkpointIndex().handle((ignored, error) -> null).thenCompose(ignored -> stream.close());
    }

    /** Closes the stream of a deleted partition without a checkpoint, then deletes its persisted index. */
    public CompletableFuture<Void> closeDeleted() {
        return stream.close().handle((ignored, error) -> null).thenCompose(ignored -> checkpoints.deleteAll());
    }

    public record TimestampAndOffset(long timestamp, long offset, int leaderEpoch) {}

    /** A batch by its base offset and CRC; {@link #NONE} before the first. */
    record BatchRef(long offset, long checksum) {
        static final BatchRef NONE = new BatchRef(-1, -1);
    }

    /**
     * What a trim removed.
     *
     * @param previousStartOffset the log start offset before the trim
     * @param startOffset the log start offset after it
     * @param bytes the bytes of the batches that no longer hold any offset at or after the start
     */
    public record TrimResult(long previousStartOffset, long startOffset, long bytes) {

        /** The offsets removed: records, and the control records of transactions. */
        public long records() {
            return startOffset - previousStartOffset;
        }
    }
}
