package io.lakestream.broker.transaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.ProducerIdAndEpoch;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;
import org.apache.kafka.coordinator.transaction.TxnTransitMetadata;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator's state machine over real partitions (one holding the transaction state, one
 * of data, on a real stream store): epochs and fencing, the produce-side partition
 * check, commit and abort markers, and the reload of the state log, prepared transactions
 * included.
 */
class TransactionCoordinatorTest {
    private static final ClusterView EVENTS_VIEW = new SuppliedClusterView(List::of, () -> List.of(
        new ClusterView.TopicView("orders", Uuid.randomUuid(),
            List.of(new ClusterView.PartitionView(0, 1, 1, 3), new ClusterView.PartitionView(1, 2, 1, 3)), Map.of())));
    private static final String ID = "txn-id";
    private static final TopicPartition EVENTS = new TopicPartition("orders", 0);
    private static final TopicPartition NOT_ADDED = new TopicPartition("orders", 1);

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private PartitionLog stateLog;
    private PartitionLog events;
    private TransactionStateLog state;
    private TransactionMarkerWriter markers;
    private TransactionCoordinator coordinator;

    @BeforeEach
    void start() {
        stateLog = fixture.load(new LogConfig(Map.of()));
        events = fixture.loadOther(EVENTS, new LogConfig(Map.of()));
        coordinator = loadCoordinator(86_400_000L);
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        state.close();
        markers.close();
    }

    /** A coordinator over {@code __transaction_state-0}, loaded from what the partition holds. */
    private TransactionCoordinator loadCoordinator(long idExpirationMs) {
        if (state != null) {
            state.close();
            markers.close();
        }
        state = new TransactionStateLog(1, 1 << 20, Time.SYSTEM);
        LeaderPartitions partitions = PartitionLogFixture.leading(tp -> {
            if (tp.equals(EVENTS)) {
                return events;
            }
            throw new NotLeaderOrFollowerException(tp + " is not led here");
        }, stateLog, events);
        markers = new TransactionMarkerWriter(partitions, null, new ClusterViewHolder(EVENTS_VIEW, timer), timer, 1,
            Time.SYSTEM, new SimpleMeterRegistry());
        TransactionCoordinator loaded = new TransactionCoordinator(state, new ProducerIdAllocator(new IdBlocks()), markers,
            timer, 60_000, idExpirationMs, Time.SYSTEM, new SimpleMeterRegistry());
        state.load(stateLog).join().ifPresent(loaded::resumeCompletions);
        return loaded;
    }

    private TransactionCoordinator.InitResult init(Optional<ProducerIdAndEpoch> expected) {
        return coordinator.initProducerId(ID, 30_000, expected).join();
    }

    private TransactionMetadata metadata() {
        return state.get(ID).orElseThrow().transactionMetadata();
    }

    private void produce(TransactionCoordinator.InitResult producer, int sequence) {
        events.appendAsLeader(MemoryRecords.withTransactionalRecords(Compression.NONE, producer.producerId(),
            producer.producerEpoch(), sequence, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8))),
            AppendOrigin.CLIENT).join();
    }

    @Test
    void eachInitBumpsTheEpochAndFencesTheOlderProducer() {
        TransactionCoordinator.InitResult first = init(Optional.empty());
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(first.producerEpoch()).isZero();
        TransactionCoordinator.InitResult second = init(Optional.empty());
        assertThat(second.producerId()).isEqualTo(first.producerId());
        assertThat(second.producerEpoch()).isEqualTo((short) 1);

        assertThat(init(Optional.of(new ProducerIdAndEpoch(first.producerId(), (short) 0))).error())
            .as("KIP-360 recovery with an epoch that was fenced").isEqualTo(Errors.PRODUCER_FENCED);
        TransactionCoordinator.InitResult recovered = init(Optional.of(new ProducerIdAndEpoch(first.producerId(),
            (short) 1)));
        assertThat(recovered.producerEpoch()).as("KIP-360 recovery with the current epoch").isEqualTo((short) 2);

        assertThat(coordinator.addPartitions(ID, first.producerId(), (short) 1, Set.of(EVENTS)).join())
            .isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(coordinator.addPartitions(ID, first.producerId(), (short) 2, Set.of(EVENTS)).join())
            .isEqualTo(Errors.NONE);
        assertThat(coordinator.verifyPartition(ID, first.producerId(), (short) 2, EVENTS)).contains(Errors.NONE);
        assertThat(coordinator.verifyPartition(ID, first.producerId(), (short) 1, EVENTS))
            .as("a zombie's batch").contains(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(coordinator.verifyPartition(ID, first.producerId(), (short) 2, NOT_ADDED))
            .as("a batch to a partition not in the transaction").contains(Errors.INVALID_TXN_STATE);
    }

    @Test
    void aCommitWritesItsMarkersAndSurvivesAReload() {
        TransactionCoordinator.InitResult producer = init(Optional.empty());
        assertThat(coordinator.addPartitions(ID, producer.producerId(), producer.producerEpoch(), Set.of(EVENTS))
            .join()).isEqualTo(Errors.NONE);
        produce(producer, 0);
        assertThat(events.lastStableOffset()).as("LSO while the transaction is open").isZero();

        assertThat(coordinator.endTransaction(ID, producer.producerId(), producer.producerEpoch(),
            TransactionResult.COMMIT).join()).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> metadata().state() == TransactionState.COMPLETE_COMMIT);
        assertThat(events.lastStableOffset()).as("LSO after the commit marker").isEqualTo(events.highWatermark())
            .isEqualTo(2);
        assertThat(events.abortedTransactions()).isEmpty();
        assertThat(coordinator.endTransaction(ID, producer.producerId(), producer.producerEpoch(),
            TransactionResult.COMMIT).join()).as("a retried commit").isEqualTo(Errors.NONE);

        coordinator = loadCoordinator(86_400_000L);
        assertThat(metadata().state()).as("state after a reload").isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(metadata().producerEpoch()).isEqualTo(producer.producerEpoch());
        assertThat(init(Optional.empty()).producerEpoch()).isEqualTo((short) (producer.producerEpoch() + 1));
    }

    @Test
    void anInitDuringAnOpenTransactionAbortsItUnderABumpedEpoch() {
        TransactionCoordinator.InitResult zombie = init(Optional.empty());
        coordinator.addPartitions(ID, zombie.producerId(), zombie.producerEpoch(), Set.of(EVENTS)).join();
        produce(zombie, 0);

        assertThat(init(Optional.empty()).error()).as("the first answer while the open transaction is aborted")
            .isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        await().atMost(Duration.ofSeconds(30)).until(() -> metadata().state() == TransactionState.COMPLETE_ABORT);
        assertThat(metadata().producerEpoch()).as("the fence's epoch").isEqualTo((short) 1);
        assertThat(events.abortedTransactions()).hasSize(1);
        assertThat(events.lastStableOffset()).isEqualTo(events.highWatermark());
        assertThat(init(Optional.empty()).producerEpoch()).as("the successor's epoch").isEqualTo((short) 2);
        assertThat(coordinator.endTransaction(ID, zombie.producerId(), zombie.producerEpoch(), TransactionResult.COMMIT)
            .join()).as("the zombie's commit").isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void aTransactionPreparedBeforeAReloadIsCompletedByTheLoad() {
        TransactionCoordinator.InitResult producer = init(Optional.empty());
        coordinator.addPartitions(ID, producer.producerId(), producer.producerEpoch(), Set.of(EVENTS)).join();
        produce(producer, 0);
        // PrepareCommit written, but the coordinator "stops" before any marker.
        TransactionMetadata txn = metadata();
        TxnTransitMetadata prepared = txn.inLock(() -> txn.prepareAbortOrCommit(TransactionState.PREPARE_COMMIT,
            TransactionStateLog.LOG_VERSION, RecordBatch.NO_PRODUCER_ID, System.currentTimeMillis(), false));
        state.append(ID, state.get(ID).orElseThrow().coordinatorEpoch(), prepared).join();
        assertThat(events.lastStableOffset()).isZero();

        coordinator = loadCoordinator(86_400_000L);
        await().atMost(Duration.ofSeconds(30)).until(() -> metadata().state() == TransactionState.COMPLETE_COMMIT);
        assertThat(events.lastStableOffset()).as("LSO after the load wrote the marker")
            .isEqualTo(events.highWatermark()).isEqualTo(2);
    }

    @Test
    void anIdleTransactionalIdExpiresWithATombstone() {
        coordinator = loadCoordinator(0);
        TransactionCoordinator.InitResult producer = init(Optional.empty());
        coordinator.addPartitions(ID, producer.producerId(), producer.producerEpoch(), Set.of(EVENTS)).join();
        coordinator.expireTransactionalIds();
        assertThat(state.get(ID)).as("an id with an open transaction does not expire").isPresent();

        coordinator.endTransaction(ID, producer.producerId(), producer.producerEpoch(), TransactionResult.ABORT).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> metadata().state() == TransactionState.COMPLETE_ABORT);
        coordinator.expireTransactionalIds();
        await().atMost(Duration.ofSeconds(30)).until(() -> state.get(ID).isEmpty());
        assertThat(coordinator.describe(ID).errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());

        coordinator = loadCoordinator(86_400_000L);
        assertThat(state.get(ID)).as("the id after a reload past its tombstone").isEmpty();
    }

    /** Producer ids from one block, as the controller hands them out. */
    private static final class IdBlocks implements ClusterAdmin {
        @Override
        public CompletableFuture<ProducerIdBlock> allocateProducerIds() {
            return CompletableFuture.completedFuture(new ProducerIdBlock(1_000, 1_000));
        }

        @Override
        public CompletableFuture<Uuid> createTopic(String name, int partitions, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> validateTopicConfigs(String name, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> deleteTopic(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> createPartitions(String topic, int totalCount) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> alterTopicConfigs(String topic, Map<String, String> changes,
                                                         boolean validateOnly) {
            throw new UnsupportedOperationException();
        }
    }

    /** A cluster with the orders topic, for the marker writer (which looks only when a marker fails). */
}
