package io.lakestream.controller.raft;

import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.command.CommandBatchCodec;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.QueryCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.controller.state.CommandResult;
import io.lakestream.controller.state.MetadataState;
import io.lakestream.stream.metadata.MetadataError;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.kafka.common.config.ConfigDef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis glue around {@link MetadataState}, kept thin: the leader stamps its clock on each
 * command as it enters the log ({@link #startTransaction}), every replica decodes and applies
 * log entries in order, reads are answered by {@link #query}, and snapshots are RocksDB
 * checkpoints ({@link CheckpointSnapshotStorage}).
 *
 * <p>The live RocksDB survives restarts but is not synced per entry, so after a restart it may be
 * ahead of the newest snapshot or behind the log. Ratis replays the log from the snapshot on;
 * entries at or below the state's metadata offset are skipped, the rest applied.
 *
 * <p>Threads: Ratis calls apply, takeSnapshot and reinitialize from its applier thread;
 * queries come from RPC threads and share a read lock with apply, which reinitialize excludes.
 */
public final class RaftMetadataStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(RaftMetadataStateMachine.class);

    private final LongSupplier clockMillis;
    private final long destroyGraceMillis;
    private final ConfigDef lakestreamTopicConfigs;
    private final StateMachineMetrics metrics;
    private final CheckpointSnapshotStorage storage = new CheckpointSnapshotStorage();
    private final ReadWriteLock stateLock = new ReentrantReadWriteLock();
    private MetadataState state;
    private final ClusterDeltaWaits deltaWaits = new ClusterDeltaWaits(this::answerNow);

    /**
     * @param clockMillis the clock the leader stamps on commands and answers garbage queries with
     * @param destroyGraceMillis how long unreferenced objects stay before they are listed for deletion
     * @param registry where the {@link StateMachineMetrics} go, tagged with {@code voterId}
     * @param lakestreamTopicConfigs the topic configs beyond Kafka's that topics may set
     */
    public RaftMetadataStateMachine(LongSupplier clockMillis, long destroyGraceMillis, MeterRegistry registry,
                                    String voterId, ConfigDef lakestreamTopicConfigs) {
        this.clockMillis = clockMillis;
        this.destroyGraceMillis = destroyGraceMillis;
        this.lakestreamTopicConfigs = lakestreamTopicConfigs;
        this.metrics = new StateMachineMetrics(registry, voterId, this::appliedIndexOrNaN,
            () -> readState(MetadataState::estimatedLiveDataBytes), () -> readState(MetadataState::sstFileBytes));
    }

    private double appliedIndexOrNaN() {
        TermIndex applied = getLastAppliedTermIndex();
        return applied == null ? Double.NaN : applied.getIndex();
    }

    /** A figure of the live state for a gauge; NaN while the state is closed or being replaced. */
    private double readState(ToLongFunction<MetadataState> figure) {
        if (!stateLock.readLock().tryLock()) {
            return Double.NaN;
        }
        try {
            return state == null ? Double.NaN : figure.applyAsLong(state);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            loadState();
        });
    }

    /** Ratis pauses the state machine before it installs a snapshot, then calls {@link #reinitialize}. */
    @Override
    public void pause() {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
    }

    /** Replaces the live state with the newest snapshot, which Ratis has just installed. */
    @Override
    public void reinitialize() throws IOException {
        stateLock.writeLock().lock();
        try {
            storage.refresh();
            if (state != null) {
                state.close();
                state = null;
            }
            CheckpointSnapshotStorage.deleteRecursively(storage.liveDatabaseDir());
            loadState();
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        } finally {
            stateLock.writeLock().unlock();
        }
    }

    /** Opens the live database, first restoring it from the newest snapshot if that is ahead of it. */
    private void loadState() throws IOException {
        SnapshotInfo snapshot = storage.getLatestSnapshot();
        Path live = storage.liveDatabaseDir();
        MetadataState opened = Files.exists(live) ? open(live) : null;
        if (snapshot != null && (opened == null || opened.appliedOffset() < snapshot.getIndex())) {
            if (opened != null) {
                opened.close();
            }
            LOG.info("{}: restoring the state from snapshot {}", getId(), snapshot.getTermIndex());
            CheckpointSnapshotStorage.deleteRecursively(live);
            CheckpointSnapshotStorage.copyCheckpoint(storage.checkpointDir(snapshot.getTermIndex()), live);
            opened = open(live);
        } else if (opened == null) {
            opened = open(live);
        }
        state = opened;
        // Ratis replays the log from the snapshot on, whatever the state holds: report the
        // snapshot, so that the applied index only ever grows as Ratis hands entries back, and
        // let applyTransaction skip those the state already holds (it may be ahead of the
        // snapshot, or behind the log if RocksDB lost its unsynced tail in a crash).
        setLastAppliedTermIndex(snapshot != null ? snapshot.getTermIndex() : TermIndex.valueOf(0, 0));
    }

    private MetadataState open(Path dir) {
        return MetadataState.open(dir, getGroupId().getUuid().toString(), destroyGraceMillis, lakestreamTopicConfigs);
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(this)
            .setClientRequest(request);
        byte[] payload = request.getMessage().getContent().toByteArray();
        long now = clockMillis.getAsLong();
        byte[] stamped;
        try {
            if (CommandBatchCodec.isBatch(payload)) {
                List<byte[]> commands = new ArrayList<>();
                for (byte[] command : CommandBatchCodec.decode(payload)) {
                    CommandCodec.decode(command);
                    commands.add(CommandCodec.stamp(command, now));
                }
                stamped = CommandBatchCodec.encode(commands);
            } else {
                CommandCodec.decode(payload);
                stamped = CommandCodec.stamp(payload, now);
            }
        } catch (MalformedDataException e) {
            TransactionContext refused = builder.build();
            refused.setException(new IOException("malformed controller command: " + e.getMessage(), e));
            return refused;
        }
        return builder.setLogData(ByteString.copyFrom(stamped)).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        stateLock.readLock().lock();
        try {
            if (entry.getIndex() <= state.appliedOffset()) {
                updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
                return CompletableFuture.completedFuture(Message.EMPTY);
            }
            long start = System.nanoTime();
            byte[] payload = entry.getStateMachineLogEntry().getLogData().toByteArray();
            byte[] reply = CommandBatchCodec.isBatch(payload) ? applyBatch(entry, payload) : applyOne(entry, payload);
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            metrics.applyLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            stateLock.readLock().unlock();
            deltaWaits.onApplied();
        }
    }

    private byte[] applyOne(LogEntryProto entry, byte[] payload) {
        CommandCodec.StampedCommand stamped = CommandCodec.decode(payload);
        return reply(stamped.command(),
            state.apply(entry.getTerm(), entry.getIndex(), stamped.timestampMillis(), stamped.command()));
    }

    /** Applies a batch in one state transaction; the leader stamped every command of it alike. */
    private byte[] applyBatch(LogEntryProto entry, byte[] payload) {
        List<ControllerCommand<?>> commands = new ArrayList<>();
        long timestamp = 0;
        for (byte[] part : CommandBatchCodec.decode(payload)) {
            CommandCodec.StampedCommand stamped = CommandCodec.decode(part);
            commands.add(stamped.command());
            timestamp = stamped.timestampMillis();
        }
        List<CommandResult<?>> results = state.applyAll(entry.getTerm(), entry.getIndex(), timestamp, commands);
        List<byte[]> replies = new ArrayList<>(results.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(reply(commands.get(i), results.get(i)));
        }
        return CommandBatchCodec.encode(replies);
    }

    @SuppressWarnings("unchecked")
    private static <R> byte[] reply(ControllerCommand<R> command, CommandResult<?> result) {
        return ((CommandResult<R>) result).toReply(command.resultCodec());
    }

    /** Answers a query; a {@link ControllerQuery.GetClusterDeltas} with a wait may be answered later. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        ControllerQuery<?> query;
        try {
            query = QueryCodec.decode(request.getContent().toByteArray());
        } catch (MalformedDataException e) {
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                ReplyCodec.failure(MetadataError.INVALID_REQUEST, "malformed query: " + e.getMessage()))));
        }
        if (query instanceof ControllerQuery.GetClusterDeltas deltas) {
            return deltaWaits.poll(deltas);
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(answer(query))));
    }

    private <R> byte[] answer(ControllerQuery<R> query) {
        return answerNow(query).toReply(query.resultCodec());
    }

    private <R> CommandResult<R> answerNow(ControllerQuery<R> query) {
        stateLock.readLock().lock();
        try {
            if (state == null) {
                throw new IllegalStateException(getId() + ": the state is closed");
            }
            return state.query(query, clockMillis.getAsLong());
        } finally {
            stateLock.readLock().unlock();
        }
    }

    /**
     * Answers {@code query} from this replica's state without a read index: possibly a little
     * stale, never a round trip. For the voter's own housekeeping and metrics.
     */
    public <R> R queryLocal(ControllerQuery<R> query) {
        return answerNow(query).orThrow();
    }

    /** Checkpoints the state at the last applied entry; runs on the applier thread, between entries. */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        Path target = storage.checkpointDir(last);
        if (!Files.exists(target)) {
            long start = System.nanoTime();
            Path inProgress = storage.checkpointInProgressDir(last);
            CheckpointSnapshotStorage.deleteRecursively(inProgress);
            stateLock.readLock().lock();
            try {
                state.checkpoint(inProgress);
            } finally {
                stateLock.readLock().unlock();
            }
            Files.move(inProgress, target, StandardCopyOption.ATOMIC_MOVE);
            storage.refresh();
            metrics.snapshotDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            LOG.info("{}: took snapshot {}", getId(), last);
        }
        return last.getIndex();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        metrics.leaderChanges.increment();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return storage.getLatestSnapshot();
    }

    @Override
    public void close() throws IOException {
        deltaWaits.close();
        stateLock.writeLock().lock();
        try {
            if (state != null) {
                state.close();
                state = null;
            }
        } finally {
            stateLock.writeLock().unlock();
        }
        metrics.close();
        super.close();
    }
}
