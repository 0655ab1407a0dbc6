package io.lakestream.broker.transaction;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.PartitionLog;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.coordinator.transaction.CoordinatorEpochAndTxnMetadata;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.apache.kafka.coordinator.transaction.TxnTransitMetadata;
import org.apache.kafka.server.common.TransactionVersion;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactions this broker coordinates and their log, {@code __transaction_state}: what
 * Kafka's {@code TransactionStateManager} keeps. Each partition of the topic that this broker
 * leads is a shard; its transactions are rebuilt from the partition (log start to high
 * watermark, Kafka's {@link TransactionLog} key and value format) when this broker starts
 * leading it, and every state change is appended to it and made durable by the write-ahead log
 * before the in-memory {@link TransactionMetadata} moves to the new state (and before the
 * coordinator answers the client).
 *
 * <p>Thread-safe: shards are swapped in a concurrent map; a transaction's metadata is changed
 * only under its own lock ({@link TransactionMetadata#inLock}). Loads run on this object's
 * loader thread; appends complete on the write-ahead log's threads.
 */
public final class TransactionStateLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionStateLog.class);
    /** The value format we write: version 0, which every Kafka release reads (no client transaction version). */
    static final TransactionVersion LOG_VERSION = TransactionVersion.TV_0;

    private final int readBytes;
    private final Time time;
    private final ExecutorService loader = Executors.newSingleThreadExecutor(
        new DefaultThreadFactory("transaction-state-loader", true));
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();
    /** Partitions being loaded here, with the leader epoch they load at. */
    private final Map<Integer, Integer> loading = new ConcurrentHashMap<>();
    private volatile int partitionCount;

    /**
     * One loaded partition of the state topic.
     *
     * @param coordinatorEpoch the partition's leader epoch when it was loaded: the coordinator
     *     epoch of the markers this shard writes, so that a newer coordinator fences an older one
     */
    record Shard(int partition, int coordinatorEpoch, PartitionLog log, Map<String, TransactionMetadata> txns) {}

    /** @param readBytes how much one read fetches while loading: Kafka's transaction.state.log.load.buffer.size */
    public TransactionStateLog(int partitionCount, int readBytes, Time time) {
        this.partitionCount = partitionCount;
        this.readBytes = readBytes;
        this.time = time;
    }

    /** The partition of {@code __transaction_state} that coordinates {@code transactionalId}, as Kafka computes it. */
    public int partitionFor(String transactionalId) {
        return Utils.abs(transactionalId.hashCode()) % partitionCount;
    }

    void partitionCount(int count) {
        this.partitionCount = count;
    }

    /**
     * The metadata of {@code transactionalId} with its coordinator epoch, or empty if it has none.
     *
     * @throws NotCoordinatorException if this broker does not lead its partition
     * @throws CoordinatorLoadInProgressException if the partition is still loading
     */
    Optional<CoordinatorEpochAndTxnMetadata> get(String transactionalId) {
        Shard shard = shard(transactionalId);
        return Optional.ofNullable(shard.txns().get(transactionalId))
            .map(metadata -> new CoordinatorEpochAndTxnMetadata(shard.coordinatorEpoch(), metadata));
    }

    /** Adds {@code created} unless the transactional id has metadata already; returns what is there now. */
    CoordinatorEpochAndTxnMetadata putIfAbsent(TransactionMetadata created) {
        Shard shard = shard(created.transactionalId());
        TransactionMetadata current = shard.txns().putIfAbsent(created.transactionalId(), created);
        return new CoordinatorEpochAndTxnMetadata(shard.coordinatorEpoch(), current != null ? current : created);
    }

    private Shard shard(String transactionalId) {
        int partition = partitionFor(transactionalId);
        Shard shard = shards.get(partition);
        if (shard != null) {
            return shard;
        }
        if (loading.containsKey(partition)) {
            throw new CoordinatorLoadInProgressException("Loading " + Topic.TRANSACTION_STATE_TOPIC_NAME + "-"
                + partition);
        }
        throw new NotCoordinatorException("This broker does not lead " + Topic.TRANSACTION_STATE_TOPIC_NAME + "-"
            + partition + ", the partition of transactional id " + transactionalId);
    }

    /** Whether a partition is being loaded. */
    boolean isLoading() {
        return !loading.isEmpty();
    }

    /** The loaded shards, for the periodic checks and ListTransactions. */
    Collection<Shard> shards() {
        return shards.values();
    }

    /** Whether the shard that loaded at {@code coordinatorEpoch} still serves {@code transactionalId}'s partition. */
    boolean isCurrent(String transactionalId, int coordinatorEpoch) {
        Shard shard = shards.get(partitionFor(transactionalId));
        return shard != null && shard.coordinatorEpoch() == coordinatorEpoch;
    }

    /**
     * Appends {@code transit}, the next state of {@code transactionalId} that its metadata has
     * prepared, and completes the metadata's transition once the write-ahead log has made the
     * record durable. Fails with the error Kafka's coordinator answers (NOT_COORDINATOR,
     * COORDINATOR_NOT_AVAILABLE, ...), after dropping the prepared transition, if the append
     * fails or this broker stopped coordinating the id meanwhile. A transit to DEAD writes a
     * tombstone and removes the metadata.
     */
    CompletableFuture<Void> append(String transactionalId, int coordinatorEpoch, TxnTransitMetadata transit) {
        Shard shard = shards.get(partitionFor(transactionalId));
        if (shard == null || shard.coordinatorEpoch() != coordinatorEpoch) {
            return CompletableFuture.failedFuture(Errors.NOT_COORDINATOR.exception());
        }
        TransactionMetadata metadata = shard.txns().get(transactionalId);
        byte[] value = transit.txnState() == TransactionState.DEAD ? null
            : TransactionLog.valueToBytes(transit, LOG_VERSION);
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord(time.milliseconds(), TransactionLog.keyToBytes(transactionalId), value));
        CompletableFuture<?> durable;
        try {
            durable = shard.log().append(records, AppendOrigin.COORDINATOR).durable();
        } catch (RuntimeException e) {
            durable = CompletableFuture.failedFuture(e);
        }
        return durable.handle((result, error) -> {
            if (metadata == null) {
                throw new CompletionException(new IllegalStateException("No metadata for " + transactionalId));
            }
            return metadata.inLock(() -> {
                boolean current = shards.get(shard.partition()) == shard && shard.txns().get(transactionalId) == metadata;
                if (error != null) {
                    Errors code = coordinatorError(Errors.forException(Failures.cause(error)));
                    LOG.debug("Appending {} of {} to {} failed: {}", transit.txnState(), transactionalId,
                        shard.log().topicPartition(), Failures.cause(error).toString());
                    if (current) {
                        metadata.pendingState(Optional.empty());
                    }
                    throw new CompletionException(code.exception());
                }
                if (!current) {
                    throw new CompletionException(new NotCoordinatorException("Stopped coordinating "
                        + transactionalId + " while its " + transit.txnState() + " was written"));
                }
                if (transit.txnState() == TransactionState.DEAD) {
                    shard.txns().remove(transactionalId, metadata);
                } else {
                    metadata.completeTransitionTo(transit);
                }
                return null;
            });
        });
    }

    /** As Kafka's TransactionStateManager turns a failed append into what the client is told. */
    private static Errors coordinatorError(Errors error) {
        return switch (error) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT ->
                Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> error;
        };
    }

    /**
     * Rebuilds the transactions of {@code log}'s partition, which this broker now leads at its
     * leader epoch; requests for them are answered COORDINATOR_LOAD_IN_PROGRESS meanwhile.
     * Completes with the loaded shard, or empty if leadership changed during the load.
     */
    CompletableFuture<Optional<Shard>> load(PartitionLog log) {
        int partition = log.topicPartition().partition();
        int epoch = log.leaderEpoch();
        shards.remove(partition);
        loading.put(partition, epoch);
        long startMs = time.milliseconds();
        Map<String, TransactionMetadata> txns = new ConcurrentHashMap<>();
        long end = log.highWatermark();
        return CompletableFuture.supplyAsync(log::logStartOffset, loader)
            .thenCompose(start -> replay(log, start, end, txns))
            .handle((ignored, error) -> {
                if (!loading.remove(partition, epoch)) {
                    return Optional.<Shard>empty();
                }
                if (error != null) {
                    LOG.warn("Cannot load {}: {}", log.topicPartition(), Failures.cause(error).toString());
                    return Optional.<Shard>empty();
                }
                Shard shard = new Shard(partition, epoch, log, txns);
                shards.put(partition, shard);
                LOG.info("Loaded {} transactional ids from {} at epoch {} in {} ms", txns.size(), log.topicPartition(),
                    epoch, time.milliseconds() - startMs);
                return Optional.of(shard);
            });
    }

    private CompletableFuture<Void> replay(PartitionLog log, long offset, long end,
                                           Map<String, TransactionMetadata> txns) {
        if (offset >= end) {
            return CompletableFuture.completedFuture(null);
        }
        return log.read(offset, readBytes, true).thenComposeAsync(read -> {
            long next = offset;
            for (MutableRecordBatch batch : read.records().batches()) {
                next = batch.nextOffset();
                if (batch.isControlBatch()) {
                    continue;
                }
                for (Record record : batch) {
                    replayRecord(record, txns);
                }
            }
            if (next <= offset) {
                throw new IllegalStateException("Reading " + log.topicPartition() + " at offset " + offset
                    + " below its high watermark " + end + " returned no batch");
            }
            return replay(log, next, end, txns);
        }, loader);
    }

    private static void replayRecord(Record record, Map<String, TransactionMetadata> txns) {
        if (!record.hasKey()) {
            return;
        }
        ByteBuffer value = record.hasValue() ? record.value() : null;
        TransactionLog.ReadResult read = TransactionLog.read(record.key(), value);
        if (read instanceof TransactionLog.TxnRecord txn) {
            txns.put(txn.transactionId(), txn.metadata());
        } else if (read instanceof TransactionLog.TxnTombstone tombstone) {
            txns.remove(tombstone.transactionId());
        } else {
            LOG.warn("Skipping a record of unknown format {} at offset {}", read, record.offset());
        }
    }

    /** Drops the partition's transactions: this broker no longer leads it. */
    void unload(int partition) {
        loading.remove(partition);
        Shard removed = shards.remove(partition);
        if (removed != null) {
            LOG.info("Unloaded {} transactional ids of {}-{}", removed.txns().size(),
                Topic.TRANSACTION_STATE_TOPIC_NAME, partition);
        }
    }

    /** The transactions of every loaded shard. */
    List<TransactionMetadata> all() {
        return shards.values().stream().flatMap(shard -> shard.txns().values().stream()).toList();
    }

    @Override
    public void close() {
        loader.shutdownNow();
        shards.clear();
    }
}
