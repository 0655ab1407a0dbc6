package io.lakestream.broker.transaction;

import io.lakestream.broker.network.Failures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.transaction.CoordinatorEpochAndTxnMetadata;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.apache.kafka.coordinator.transaction.TxnTransitMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator: Kafka's {@code TransactionCoordinator} request logic (the
 * classic protocol, transaction version 0/1: the epoch is bumped by InitProducerId and by
 * fencing, not by every EndTxn) over Kafka's own {@link TransactionMetadata} state machine, with
 * the state in {@link TransactionStateLog} and the markers written by
 * {@link TransactionMarkerWriter}. Every state change is durable in {@code __transaction_state}
 * before the client is answered. EndTxn is answered once PrepareCommit/PrepareAbort is durable,
 * as Kafka does; the markers and then CompleteCommit/CompleteAbort follow, and until then the
 * transactional id answers CONCURRENT_TRANSACTIONS.
 *
 * <p>Thread-safe: each transaction's metadata is read and prepared under its lock; the log
 * appends and marker writes complete on other threads.
 */
public final class TransactionCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionCoordinator.class);
    private static final long RETRY_COMPLETION_MILLIS = 1_000;

    private final TransactionStateLog stateLog;
    private final ProducerIdAllocator producerIds;
    private final TransactionMarkerWriter markers;
    private final ScheduledExecutorService timer;
    private final int maxTimeoutMs;
    private final long idExpirationMs;
    private final Time time;
    private final Counter commits;
    private final Counter aborts;

    /** What InitProducerId answers. */
    public record InitResult(Errors error, long producerId, short producerEpoch) {
        static InitResult failed(Errors error) {
            return new InitResult(error, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        }
    }

    TransactionCoordinator(TransactionStateLog stateLog, ProducerIdAllocator producerIds,
                           TransactionMarkerWriter markers, ScheduledExecutorService timer, int maxTimeoutMs,
                           long idExpirationMs, Time time, MeterRegistry registry) {
        this.stateLog = stateLog;
        this.producerIds = producerIds;
        this.markers = markers;
        this.timer = timer;
        this.maxTimeoutMs = maxTimeoutMs;
        this.idExpirationMs = idExpirationMs;
        this.time = time;
        this.commits = Counter.builder("lakestream.broker.transactions.ended").tag("result", "commit")
            .description("Transactions committed (their CompleteCommit is durable)").register(registry);
        this.aborts = Counter.builder("lakestream.broker.transactions.ended").tag("result", "abort")
            .description("Transactions aborted, by their producer or by a timeout or fence").register(registry);
        Gauge.builder("lakestream.broker.transactions.active", stateLog, TransactionCoordinator::activeTransactions)
            .description("Transactions coordinated here that are open or completing").register(registry);
    }

    private static long activeTransactions(TransactionStateLog stateLog) {
        return stateLog.all().stream().filter(txn -> txn.state() == TransactionState.ONGOING
            || txn.state() == TransactionState.PREPARE_COMMIT || txn.state() == TransactionState.PREPARE_ABORT).count();
    }

    /** The partition of {@code __transaction_state} that coordinates {@code transactionalId}. */
    public int partitionFor(String transactionalId) {
        return stateLog.partitionFor(transactionalId);
    }

    // ---- InitProducerId ----

    /**
     * InitProducerId with a transactional id: a new producer id on first use, else the next
     * epoch of the id's producer (which fences older producers); an open transaction of an
     * older epoch is aborted first and the client told CONCURRENT_TRANSACTIONS, so it retries.
     * {@code expected} is KIP-360's producer id and epoch of a producer recovering from an error.
     */
    public CompletableFuture<InitResult> initProducerId(String transactionalId, int timeoutMs,
                                                        Optional<ProducerIdAndEpoch> expected) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(InitResult.failed(Errors.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > maxTimeoutMs) {
            return CompletableFuture.completedFuture(InitResult.failed(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        CompletableFuture<CoordinatorEpochAndTxnMetadata> entry;
        try {
            Optional<CoordinatorEpochAndTxnMetadata> existing = stateLog.get(transactionalId);
            entry = existing.isPresent() ? CompletableFuture.completedFuture(existing.get())
                : producerIds.next().thenApply(producerId -> stateLog.putIfAbsent(new TransactionMetadata(
                    transactionalId, producerId, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs, TransactionState.EMPTY,
                    Set.of(), -1, time.milliseconds(), TransactionStateLog.LOG_VERSION)));
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(InitResult.failed(Errors.forException(e)));
        }
        return entry.thenCompose(current -> {
            TransactionMetadata txn = current.transactionMetadata();
            // A producer id rotation (epoch exhausted) needs a new id, fetched before taking the lock.
            CompletableFuture<Long> rotation = txn.isProducerEpochExhausted() ? producerIds.next()
                : CompletableFuture.completedFuture(RecordBatch.NO_PRODUCER_ID);
            return rotation.thenCompose(newProducerId -> initTransit(transactionalId, timeoutMs, expected, current,
                newProducerId));
        }).exceptionally(error -> InitResult.failed(Errors.forException(Failures.cause(error))));
    }

    private CompletableFuture<InitResult> initTransit(String transactionalId, int timeoutMs,
                                                      Optional<ProducerIdAndEpoch> expected,
                                                      CoordinatorEpochAndTxnMetadata current, long newProducerId) {
        TransactionMetadata txn = current.transactionMetadata();
        Prepared prepared = txn.inLock(() -> prepareInit(txn, timeoutMs, expected, newProducerId));
        if (prepared.error() != null) {
            return CompletableFuture.completedFuture(InitResult.failed(prepared.error()));
        }
        TxnTransitMetadata transit = prepared.transit();
        if (transit.txnState() == TransactionState.PREPARE_EPOCH_FENCE) {
            // Abort the older epoch's transaction; the client retries and then gets the next epoch.
            return endTransaction(transactionalId, transit.producerId(), transit.producerEpoch(),
                TransactionResult.ABORT, false)
                .thenApply(error -> {
                    dropUnwrittenFence(txn);
                    return InitResult.failed(error == Errors.NONE ? Errors.CONCURRENT_TRANSACTIONS : error);
                });
        }
        return stateLog.append(transactionalId, current.coordinatorEpoch(), transit).handle((ignored, error) -> {
            if (error != null) {
                return InitResult.failed(Errors.forException(Failures.cause(error)));
            }
            LOG.info("Initialized transactional id {} with producer id {} epoch {}", transactionalId,
                transit.producerId(), transit.producerEpoch());
            return new InitResult(Errors.NONE, transit.producerId(), transit.producerEpoch());
        });
    }

    /** Kafka's prepareInitProducerIdTransit; called under the transaction's lock. */
    private Prepared prepareInit(TransactionMetadata txn, int timeoutMs, Optional<ProducerIdAndEpoch> expected,
                                        long newProducerId) {
        if (txn.pendingTransitionInProgress()) {
            return Prepared.failed(Errors.CONCURRENT_TRANSACTIONS);
        }
        if (expected.isPresent() && !(txn.producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH
            || expected.get().producerId == txn.producerId()
            || (expected.get().producerId == txn.prevProducerId()
                && TransactionMetadata.isEpochExhausted(expected.get().epoch)))) {
            return Prepared.failed(Errors.PRODUCER_FENCED);
        }
        try {
            return switch (txn.state()) {
                case PREPARE_ABORT, PREPARE_COMMIT -> Prepared.failed(Errors.CONCURRENT_TRANSACTIONS);
                case COMPLETE_ABORT, COMPLETE_COMMIT, EMPTY -> {
                    if (txn.isProducerEpochExhausted()
                        && expected.map(e -> e.epoch == txn.producerEpoch()).orElse(true)) {
                        if (newProducerId == RecordBatch.NO_PRODUCER_ID) {
                            yield Prepared.failed(Errors.CONCURRENT_TRANSACTIONS);
                        }
                        yield new Prepared(txn.prepareProducerIdRotation(newProducerId, timeoutMs,
                            time.milliseconds(), expected.isPresent()), null);
                    }
                    yield new Prepared(txn.prepareIncrementProducerEpoch(timeoutMs,
                        expected.map(e -> e.epoch), time.milliseconds()), null);
                }
                // Never answered with this epoch: the ongoing transaction is aborted and the client retries.
                case ONGOING -> new Prepared(txn.prepareFenceProducerEpoch(), null);
                case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException("Transactional id "
                    + txn.transactionalId() + " is in state " + txn.state() + ", which it never rests in");
            };
        } catch (ApiException e) {
            return Prepared.failed(Errors.forException(e));
        }
    }

    /**
     * A fence whose abort was refused before it was written (the id moved, the producer changed)
     * leaves its pending state behind; clear it so the id is not stuck in CONCURRENT_TRANSACTIONS.
     */
    private static void dropUnwrittenFence(TransactionMetadata txn) {
        txn.inLock(() -> {
            if (txn.pendingState().equals(Optional.of(TransactionState.PREPARE_EPOCH_FENCE))) {
                txn.pendingState(Optional.empty());
            }
            return null;
        });
    }

    /** A prepared transition, or the error that stopped it. */
    private record Prepared(TxnTransitMetadata transit, Errors error) {
        static Prepared failed(Errors error) {
            return new Prepared(null, error);
        }
    }

    /**
     * The metadata of the transactional id of a request that needs one, or what to answer:
     * INVALID_REQUEST for no id, INVALID_PRODUCER_ID_MAPPING for an unknown one, or why this
     * broker cannot tell (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS).
     */
    private Lookup lookup(String transactionalId) {
        if (transactionalId == null || transactionalId.isEmpty()) {
            return new Lookup(null, Errors.INVALID_REQUEST);
        }
        try {
            return stateLog.get(transactionalId).map(found -> new Lookup(found, null))
                .orElse(new Lookup(null, Errors.INVALID_PRODUCER_ID_MAPPING));
        } catch (ApiException e) {
            return new Lookup(null, Errors.forException(e));
        }
    }

    private record Lookup(CoordinatorEpochAndTxnMetadata found, Errors error) {}

    // ---- AddPartitionsToTxn, AddOffsetsToTxn ----

    /** Adds {@code partitions} to the producer's transaction (starting it): NONE once durable. */
    public CompletableFuture<Errors> addPartitions(String transactionalId, long producerId, short producerEpoch,
                                                   Set<TopicPartition> partitions) {
        Lookup lookup = lookup(transactionalId);
        if (lookup.error() != null) {
            return CompletableFuture.completedFuture(lookup.error());
        }
        CoordinatorEpochAndTxnMetadata current = lookup.found();
        TransactionMetadata txn = current.transactionMetadata();
        Prepared prepared = txn.inLock(() -> {
            if (txn.producerId() != producerId) {
                return Prepared.failed(Errors.INVALID_PRODUCER_ID_MAPPING);
            } else if (txn.producerEpoch() != producerEpoch) {
                return Prepared.failed(Errors.PRODUCER_FENCED);
            } else if (txn.pendingTransitionInProgress()
                || txn.state() == TransactionState.PREPARE_COMMIT || txn.state() == TransactionState.PREPARE_ABORT) {
                return Prepared.failed(Errors.CONCURRENT_TRANSACTIONS);
            } else if (txn.state() == TransactionState.ONGOING && txn.topicPartitions().containsAll(partitions)) {
                return Prepared.failed(Errors.NONE);
            }
            return new Prepared(txn.prepareAddPartitions(partitions, time.milliseconds(),
                TransactionStateLog.LOG_VERSION), null);
        });
        if (prepared.error() != null) {
            return CompletableFuture.completedFuture(prepared.error());
        }
        return stateLog.append(transactionalId, current.coordinatorEpoch(), prepared.transit())
            .handle((ignored, error) -> error == null ? Errors.NONE : Errors.forException(Failures.cause(error)));
    }

    /**
     * Whether a transactional produce of {@code producerId}/{@code producerEpoch} to {@code tp}
     * belongs to the id's open transaction: Kafka's partition verification (KIP-890), answered
     * here without a request because the coordinator runs in this broker. Empty if this broker
     * does not coordinate the id (nothing to check against), else NONE or the error for the
     * produce: INVALID_PRODUCER_EPOCH for a fenced producer, INVALID_TXN_STATE for a partition
     * that was not added to the transaction.
     */
    public Optional<Errors> verifyPartition(String transactionalId, long producerId, short producerEpoch,
                                            TopicPartition tp) {
        Optional<CoordinatorEpochAndTxnMetadata> found;
        try {
            found = stateLog.get(transactionalId);
        } catch (ApiException e) {
            return Optional.empty();
        }
        if (found.isEmpty()) {
            return Optional.of(Errors.INVALID_TXN_STATE);
        }
        TransactionMetadata txn = found.get().transactionMetadata();
        return Optional.of(txn.inLock(() -> {
            if (txn.producerId() != producerId || txn.producerEpoch() != producerEpoch) {
                return producerEpoch < txn.producerEpoch() || txn.producerId() != producerId
                    ? Errors.INVALID_PRODUCER_EPOCH : Errors.INVALID_TXN_STATE;
            }
            return txn.state() == TransactionState.ONGOING && txn.topicPartitions().contains(tp)
                ? Errors.NONE : Errors.INVALID_TXN_STATE;
        }));
    }

    // ---- EndTxn ----

    /** EndTxn from the client: commits or aborts the producer's transaction. */
    public CompletableFuture<Errors> endTransaction(String transactionalId, long producerId, short producerEpoch,
                                                    TransactionResult result) {
        return endTransaction(transactionalId, producerId, producerEpoch, result, true);
    }

    /**
     * Kafka's endTransaction for transaction version 0/1: writes PrepareCommit/PrepareAbort,
     * answers, then writes the markers and CompleteCommit/CompleteAbort. {@code fromClient}
     * false is the coordinator's own abort (an InitProducerId fencing an older epoch, a
     * timeout), whose epoch is the bumped one prepared by {@code prepareFenceProducerEpoch}.
     */
    private CompletableFuture<Errors> endTransaction(String transactionalId, long producerId, short producerEpoch,
                                                     TransactionResult result, boolean fromClient) {
        Lookup lookup = lookup(transactionalId);
        if (lookup.error() != null) {
            return CompletableFuture.completedFuture(lookup.error());
        }
        CoordinatorEpochAndTxnMetadata current = lookup.found();
        TransactionMetadata txn = current.transactionMetadata();
        boolean[] epochFence = {false};
        Prepared prepared = txn.inLock(() -> {
            boolean validEpoch = (!fromClient || producerEpoch == txn.producerEpoch())
                && producerEpoch >= txn.producerEpoch();
            Optional<TransactionState> pending = txn.pendingState();
            if (txn.producerId() != producerId) {
                return Prepared.failed(Errors.INVALID_PRODUCER_ID_MAPPING);
            } else if (!validEpoch) {
                return Prepared.failed(Errors.PRODUCER_FENCED);
            } else if (pending.isPresent() && pending.get() != TransactionState.PREPARE_EPOCH_FENCE) {
                return Prepared.failed(Errors.CONCURRENT_TRANSACTIONS);
            }
            boolean commit = result == TransactionResult.COMMIT;
            return switch (txn.state()) {
                case ONGOING -> {
                    TransactionState next = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
                    if (!commit && pending.isPresent()) {
                        // The fence: its bumped epoch goes into the abort, and is never handed to a client.
                        epochFence[0] = true;
                        txn.pendingState(Optional.empty());
                        txn.setProducerEpoch(producerEpoch);
                        txn.setLastProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
                    }
                    yield new Prepared(txn.prepareAbortOrCommit(next, TransactionStateLog.LOG_VERSION,
                        RecordBatch.NO_PRODUCER_ID, time.milliseconds(), false), null);
                }
                case COMPLETE_COMMIT -> Prepared.failed(commit ? Errors.NONE : Errors.INVALID_TXN_STATE);
                case COMPLETE_ABORT -> Prepared.failed(commit ? Errors.INVALID_TXN_STATE : Errors.NONE);
                case PREPARE_COMMIT -> Prepared.failed(commit ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE);
                case PREPARE_ABORT -> Prepared.failed(commit ? Errors.INVALID_TXN_STATE : Errors.CONCURRENT_TRANSACTIONS);
                case EMPTY -> Prepared.failed(Errors.INVALID_TXN_STATE);
                case DEAD, PREPARE_EPOCH_FENCE -> throw new IllegalStateException("Transactional id "
                    + transactionalId + " is in state " + txn.state() + ", which it never rests in");
            };
        });
        if (prepared.error() != null) {
            return CompletableFuture.completedFuture(prepared.error());
        }
        int coordinatorEpoch = current.coordinatorEpoch();
        return stateLog.append(transactionalId, coordinatorEpoch, prepared.transit()).handle((ignored, error) -> {
            if (error != null) {
                if (epochFence[0]) {
                    txn.inLock(() -> {
                        txn.hasFailedEpochFence(true);
                        return null;
                    });
                }
                return Errors.forException(Failures.cause(error));
            }
            completeAfterMarkers(transactionalId, coordinatorEpoch, txn, result);
            return Errors.NONE;
        });
    }

    /**
     * Writes the markers of a transaction in PrepareCommit/PrepareAbort, then its
     * CompleteCommit/CompleteAbort; retried while this broker still coordinates it. Also how a
     * transaction found prepared when its partition is loaded is finished.
     */
    void completeAfterMarkers(String transactionalId, int coordinatorEpoch, TransactionMetadata txn,
                              TransactionResult result) {
        record Pending(TxnTransitMetadata complete, long producerId, short producerEpoch, Set<TopicPartition> targets) {}
        Pending pending = txn.inLock(() -> {
            TransactionState expected = result == TransactionResult.COMMIT
                ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
            if (txn.state() != expected || txn.pendingTransitionInProgress()) {
                return null;
            }
            Set<TopicPartition> targets = Set.copyOf(txn.topicPartitions());
            return new Pending(txn.prepareComplete(time.milliseconds()), txn.producerId(), txn.producerEpoch(), targets);
        });
        if (pending == null) {
            return;
        }
        markers.write(pending.producerId(), pending.producerEpoch(), coordinatorEpoch, result, pending.targets(),
                () -> stateLog.isCurrent(transactionalId, coordinatorEpoch))
            .thenCompose(ignored -> stateLog.append(transactionalId, coordinatorEpoch, pending.complete()))
            .whenComplete((ignored, error) -> {
                if (error == null) {
                    (result == TransactionResult.COMMIT ? commits : aborts).increment();
                    LOG.debug("Completed the {} of {} (producer {} epoch {})", result, transactionalId,
                        pending.producerId(), pending.producerEpoch());
                    return;
                }
                // The markers stay idempotent: a retry writes any that are missing and the completion again.
                txn.inLock(() -> {
                    if (txn.pendingState().equals(Optional.of(pending.complete().txnState()))) {
                        txn.pendingState(Optional.empty());
                    }
                    return null;
                });
                if (stateLog.isCurrent(transactionalId, coordinatorEpoch)) {
                    LOG.warn("Completing the {} of {} failed, retrying: {}", result, transactionalId,
                        Failures.cause(error).toString());
                    timer.schedule(() -> completeAfterMarkers(transactionalId, coordinatorEpoch, txn, result),
                        RETRY_COMPLETION_MILLIS, TimeUnit.MILLISECONDS);
                }
            });
    }

    /** Finishes, after a load, the transactions that were prepared but not completed. */
    void resumeCompletions(TransactionStateLog.Shard shard) {
        shard.txns().forEach((transactionalId, txn) -> {
            TransactionState state = txn.inLock(txn::state);
            if (state == TransactionState.PREPARE_COMMIT || state == TransactionState.PREPARE_ABORT) {
                LOG.info("Resuming the {} of {} found prepared in {}", state, transactionalId, shard.log().topicPartition());
                completeAfterMarkers(transactionalId, shard.coordinatorEpoch(), txn,
                    state == TransactionState.PREPARE_COMMIT ? TransactionResult.COMMIT : TransactionResult.ABORT);
            }
        });
    }

    // ---- periodic checks ----

    /**
     * Aborts every transaction open longer than its timeout, bumping the producer's epoch so the
     * producer that left it open is fenced: Kafka's abortTimedOutTransactions.
     */
    public void abortTimedOutTransactions() {
        long now = time.milliseconds();
        for (TransactionStateLog.Shard shard : stateLog.shards()) {
            shard.txns().forEach((transactionalId, txn) -> {
                TxnTransitMetadata fence = txn.inLock(() -> {
                    if (txn.state() != TransactionState.ONGOING || txn.pendingTransitionInProgress()
                        || txn.txnStartTimestamp() + txn.txnTimeoutMs() >= now) {
                        return null;
                    }
                    return txn.prepareFenceProducerEpoch();
                });
                if (fence == null) {
                    return;
                }
                LOG.info("Aborting the transaction of {} (producer {}), open longer than its timeout of {} ms",
                    transactionalId, fence.producerId(), txn.txnTimeoutMs());
                endTransaction(transactionalId, fence.producerId(), fence.producerEpoch(), TransactionResult.ABORT,
                    false).thenAccept(error -> {
                        dropUnwrittenFence(txn);
                        if (error != Errors.NONE) {
                            LOG.warn("Aborting the timed out transaction of {} failed: {}", transactionalId, error);
                        }
                    });
            });
        }
    }

    /**
     * Forgets transactional ids idle longer than transactional.id.expiration.ms with no open
     * transaction, writing a tombstone for each: Kafka's removeExpiredTransactionalIds.
     */
    public void expireTransactionalIds() {
        long now = time.milliseconds();
        for (TransactionStateLog.Shard shard : stateLog.shards()) {
            shard.txns().forEach((transactionalId, txn) -> {
                TxnTransitMetadata dead = txn.inLock(() -> {
                    if (!txn.state().isExpirationAllowed() || txn.pendingTransitionInProgress()
                        || txn.txnLastUpdateTimestamp() + idExpirationMs > now) {
                        return null;
                    }
                    return txn.prepareDead();
                });
                if (dead != null) {
                    stateLog.append(transactionalId, shard.coordinatorEpoch(), dead).whenComplete((ignored, error) -> {
                        if (error == null) {
                            LOG.info("Expired transactional id {}, idle for {} ms", transactionalId, idExpirationMs);
                        }
                    });
                }
            });
        }
    }

    // ---- DescribeTransactions, ListTransactions ----

    public DescribeTransactionsResponseData.TransactionState describe(String transactionalId) {
        DescribeTransactionsResponseData.TransactionState answer = new DescribeTransactionsResponseData.TransactionState()
            .setTransactionalId(transactionalId);
        if (transactionalId == null || transactionalId.isEmpty()) {
            return answer.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        Optional<CoordinatorEpochAndTxnMetadata> found;
        try {
            found = stateLog.get(transactionalId);
        } catch (ApiException e) {
            return answer.setErrorCode(Errors.forException(e).code());
        }
        if (found.isEmpty()) {
            return answer.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        }
        TransactionMetadata txn = found.get().transactionMetadata();
        return txn.inLock(() -> {
            if (txn.state() == TransactionState.DEAD) {
                return answer.setErrorCode(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
            }
            Map<String, DescribeTransactionsResponseData.TopicData> topics = new HashMap<>();
            for (TopicPartition tp : txn.topicPartitions()) {
                topics.computeIfAbsent(tp.topic(), topic -> {
                    DescribeTransactionsResponseData.TopicData data = new DescribeTransactionsResponseData.TopicData()
                        .setTopic(topic);
                    answer.topics().add(data);
                    return data;
                }).partitions().add(tp.partition());
            }
            return answer.setErrorCode(Errors.NONE.code())
                .setProducerId(txn.producerId())
                .setProducerEpoch(txn.producerEpoch())
                .setTransactionState(txn.state().stateName())
                .setTransactionTimeoutMs(txn.txnTimeoutMs())
                .setTransactionStartTimeMs(txn.txnStartTimestamp());
        });
    }

    /**
     * The transactions coordinated here, filtered as Kafka's listTransactionStates filters:
     * by producer id, by state name, by having started more than {@code minDurationMs} ago
     * (negative: no filter) and by a transactional id pattern; COORDINATOR_LOAD_IN_PROGRESS
     * while a partition loads.
     */
    public ListTransactionsResponseData list(Set<Long> producerIds, Set<String> states, long minDurationMs,
                                             String idPattern) {
        ListTransactionsResponseData response = new ListTransactionsResponseData().setErrorCode(Errors.NONE.code());
        if (stateLog.isLoading()) {
            return response.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        }
        Set<String> unknown = new java.util.TreeSet<>();
        for (String state : states) {
            if (TransactionState.fromName(state).isEmpty()) {
                unknown.add(state);
            }
        }
        response.setUnknownStateFilters(new java.util.ArrayList<>(unknown));
        java.util.regex.Pattern pattern = idPattern == null || idPattern.isEmpty() ? null
            : java.util.regex.Pattern.compile(idPattern);
        long now = time.milliseconds();
        for (TransactionMetadata txn : stateLog.all()) {
            txn.inLock(() -> {
                boolean matches = txn.state() != TransactionState.DEAD
                    && (producerIds.isEmpty() || producerIds.contains(txn.producerId()))
                    && (states.isEmpty() || states.contains(txn.state().stateName()))
                    && (minDurationMs < 0 || now - txn.txnStartTimestamp() > minDurationMs)
                    && (pattern == null || pattern.matcher(txn.transactionalId()).matches());
                if (matches) {
                    response.transactionStates().add(new ListTransactionsResponseData.TransactionState()
                        .setTransactionalId(txn.transactionalId())
                        .setProducerId(txn.producerId())
                        .setTransactionState(txn.state().stateName()));
                }
                return null;
            });
        }
        return response;
    }
}
