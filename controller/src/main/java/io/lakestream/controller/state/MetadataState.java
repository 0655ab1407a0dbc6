package io.lakestream.controller.state;

import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.TopicConfigValidation;
import io.lakestream.controller.command.ClusterDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerCommand.CloseStream;
import io.lakestream.controller.command.ControllerCommand.CommitStreamObject;
import io.lakestream.controller.command.ControllerCommand.CommitStreamSetObject;
import io.lakestream.controller.command.ControllerCommand.CreateStream;
import io.lakestream.controller.command.ControllerCommand.DeleteStream;
import io.lakestream.controller.command.ControllerCommand.MarkObjectsDestroyed;
import io.lakestream.controller.command.ControllerCommand.OpenStream;
import io.lakestream.controller.command.ControllerCommand.PrepareObjects;
import io.lakestream.controller.command.ControllerCommand.TrimStream;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.ControllerQuery.DescribeCluster;
import io.lakestream.controller.command.ControllerQuery.DescribeStream;
import io.lakestream.controller.command.ControllerQuery.GetObjects;
import io.lakestream.controller.command.ControllerQuery.GetObjectsToDestroy;
import io.lakestream.controller.command.ControllerQuery.GetStreamObjects;
import io.lakestream.controller.command.ControllerQuery.GetStreamSetObjects;
import io.lakestream.controller.command.ControllerQuery.OpenStreams;
import io.lakestream.stream.metadata.StreamMetadataException;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import java.util.ArrayList;
import java.util.List;

/**
 * The controller's replicated state: applies commands, in log order, to the RocksDB
 * {@link MetadataStore}, and answers queries. Applying is a pure function of (state,
 * command, the command's stamped time): no clock, no randomness, no I/O outside the store,
 * so every replica that applies the same log holds the same state.
 *
 * <p>Each command commits atomically together with its log index, the metadata offset. A
 * refused command changes nothing but the metadata offset.
 *
 * <p>Threads: {@link #apply} is called by one thread at a time (Raft's applier); queries may
 * run on any thread concurrently with it and read a consistent snapshot.
 */
public final class MetadataState implements AutoCloseable {
    /** Cluster deltas kept for brokers that follow; one further behind gets a snapshot instead. */
    public static final int DEFAULT_RETAINED_CLUSTER_DELTAS = 10_000;

    private final MetadataStore store;
    private final long destroyGraceMillis;
    private final int retainedClusterDeltas;
    private final TopicConfigValidation topicConfigs;
    private volatile long appliedTerm;
    private volatile long appliedOffset;

    public MetadataState(MetadataStore store, long destroyGraceMillis) {
        this(store, destroyGraceMillis, DEFAULT_RETAINED_CLUSTER_DELTAS);
    }

    public MetadataState(MetadataStore store, long destroyGraceMillis, int retainedClusterDeltas) {
        this(store, destroyGraceMillis, retainedClusterDeltas, new ConfigDef());
    }

    /**
     * @param lakestreamTopicConfigs the topic configs beyond Kafka's that topics may set (table
     *     topics'); every voter must be given the same
     */
    public MetadataState(MetadataStore store, long destroyGraceMillis, int retainedClusterDeltas,
                         ConfigDef lakestreamTopicConfigs) {
        if (retainedClusterDeltas <= 0) {
            throw new IllegalArgumentException("retain at least one cluster delta, not " + retainedClusterDeltas);
        }
        this.store = store;
        this.destroyGraceMillis = destroyGraceMillis;
        this.retainedClusterDeltas = retainedClusterDeltas;
        this.topicConfigs = new TopicConfigValidation(lakestreamTopicConfigs);
        long[] applied = store.appliedTermIndex();
        this.appliedTerm = applied[0];
        this.appliedOffset = applied[1];
    }

    /** Opens (or creates) the state in {@code directory}. */
    public static MetadataState open(Path directory, String clusterId, long destroyGraceMillis) {
        return new MetadataState(MetadataStore.open(directory, clusterId), destroyGraceMillis);
    }

    /** Opens (or creates) the state in {@code directory}, keeping {@code retainedClusterDeltas} deltas. */
    public static MetadataState open(Path directory, String clusterId, long destroyGraceMillis,
                                     int retainedClusterDeltas) {
        return new MetadataState(MetadataStore.open(directory, clusterId), destroyGraceMillis, retainedClusterDeltas);
    }

    /** Opens (or creates) the state in {@code directory}, accepting {@code lakestreamTopicConfigs} as topic configs. */
    public static MetadataState open(Path directory, String clusterId, long destroyGraceMillis,
                                     ConfigDef lakestreamTopicConfigs) {
        return new MetadataState(MetadataStore.open(directory, clusterId), destroyGraceMillis,
            DEFAULT_RETAINED_CLUSTER_DELTAS, lakestreamTopicConfigs);
    }

    /** The log index of the last command applied, 0 before the first. */
    public long appliedOffset() {
        return appliedOffset;
    }

    public long appliedTerm() {
        return appliedTerm;
    }

    public String clusterId() {
        return store.clusterId();
    }

    /**
     * Applies the command at log position ({@code term}, {@code offset}).
     *
     * @param timestampMillis the time the leader stamped on the command: the "now" of expiry
     *     and grace periods
     * @throws IllegalArgumentException if {@code offset} is not after {@link #appliedOffset()}
     */
    public <R> CommandResult<R> apply(long term, long offset, long timestampMillis, ControllerCommand<R> command) {
        if (offset <= appliedOffset) {
            throw new IllegalArgumentException("command at offset " + offset + " is not after the applied offset "
                + appliedOffset);
        }
        CommandResult<R> result;
        try (MetadataTransaction tx = store.beginTransaction()) {
            try {
                result = CommandResult.success(execute(tx, offset, timestampMillis, command));
                store.commit(tx, term, offset);
            } catch (StreamMetadataException | ClusterMetadataException refusal) {
                result = CommandResult.refused(refusal);
            }
        }
        if (result.isRefused()) {
            try (MetadataTransaction onlyOffset = store.beginTransaction()) {
                store.commit(onlyOffset, term, offset);
            }
        }
        appliedTerm = term;
        appliedOffset = offset;
        return result;
    }

    /**
     * Applies the commands of one log entry, in order, as if each were applied alone: each sees
     * the changes of those before it, and a refused one changes nothing. All of them commit in
     * one RocksDB write together with the log position, so a crash keeps all or none.
     *
     * @throws IllegalArgumentException if {@code offset} is not after {@link #appliedOffset()}
     */
    public List<CommandResult<?>> applyAll(long term, long offset, long timestampMillis,
                                           List<ControllerCommand<?>> commands) {
        if (offset <= appliedOffset) {
            throw new IllegalArgumentException("commands at offset " + offset + " are not after the applied offset "
                + appliedOffset);
        }
        List<CommandResult<?>> results = new ArrayList<>(commands.size());
        try (MetadataTransaction tx = store.beginTransaction()) {
            for (ControllerCommand<?> command : commands) {
                tx.setSavePoint();
                try {
                    results.add(CommandResult.success(execute(tx, offset, timestampMillis, command)));
                    tx.popSavePoint();
                } catch (StreamMetadataException | ClusterMetadataException refusal) {
                    tx.rollbackToSavePoint();
                    results.add(CommandResult.refused(refusal));
                }
            }
            store.commit(tx, term, offset);
        }
        appliedTerm = term;
        appliedOffset = offset;
        return results;
    }

    /** Answers {@code query} from a snapshot of the committed state; {@code nowMillis} dates garbage. */
    public <R> CommandResult<R> query(ControllerQuery<R> query, long nowMillis) {
        try (MetadataStore.ReadView view = store.openReadView()) {
            if (ClusterQueries.handles(query)) {
                return CommandResult.success(new ClusterQueries(view).answer(query));
            }
            return CommandResult.success(answer(new StreamQueries(view), query, nowMillis));
        } catch (StreamMetadataException | ClusterMetadataException refusal) {
            return CommandResult.refused(refusal);
        }
    }

    MetadataStore store() {
        return store;
    }

    /** Writes a checkpoint of the state, including its metadata offset, to {@code target}. */
    public void checkpoint(Path target) {
        store.checkpoint(target);
    }

    private <R> R execute(MetadataTransaction tx, long offset, long timestampMillis, ControllerCommand<R> command) {
        StreamCommands streams = new StreamCommands(tx, timestampMillis);
        if (ClusterCommands.handles(command)) {
            return new ClusterCommands(tx, streams, offset, timestampMillis, retainedClusterDeltas,
                topicConfigs).execute(command);
        }
        return execute(streams, command);
    }

    /** RocksDB's estimate of the live state in bytes, for metrics. */
    public long estimatedLiveDataBytes() {
        return store.estimatedLiveDataBytes();
    }

    /** The bytes of the state's SST files, for metrics. */
    public long sstFileBytes() {
        return store.sstFileBytes();
    }

    @SuppressWarnings("unchecked")
    private static <R> R execute(StreamCommands commands, ControllerCommand<R> command) {
        Object result = null;
        if (command instanceof CreateStream) {
            result = commands.createStream();
        } else if (command instanceof OpenStream c) {
            result = commands.openStream(c.streamId(), c.nodeId());
        } else if (command instanceof CloseStream c) {
            commands.closeStream(c.streamId(), c.epoch());
        } else if (command instanceof TrimStream c) {
            commands.trimStream(c.streamId(), c.epoch(), c.newStartOffset());
        } else if (command instanceof DeleteStream c) {
            commands.deleteStream(c.streamId(), c.epoch());
        } else if (command instanceof PrepareObjects c) {
            result = commands.prepareObjects(c.count(), c.ttlMillis());
        } else if (command instanceof CommitStreamSetObject c) {
            commands.commitStreamSetObject(c.request());
        } else if (command instanceof CommitStreamObject c) {
            commands.commitStreamObject(c.request());
        } else if (command instanceof MarkObjectsDestroyed c) {
            commands.markObjectsDestroyed(c.objectIds());
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
        return (R) result;
    }

    @SuppressWarnings("unchecked")
    private <R> R answer(StreamQueries queries, ControllerQuery<R> query, long nowMillis) {
        Object result;
        if (query instanceof DescribeStream q) {
            result = queries.stream(q.streamId());
        } else if (query instanceof OpenStreams q) {
            result = queries.openStreams(q.nodeId());
        } else if (query instanceof GetObjects q) {
            result = queries.getObjects(q.streamId(), q.startOffset(), q.endOffset(), q.limit());
        } else if (query instanceof GetStreamSetObjects q) {
            result = queries.getStreamSetObjects(q.nodeId());
        } else if (query instanceof GetStreamObjects q) {
            result = queries.getStreamObjects(q.streamId());
        } else if (query instanceof GetObjectsToDestroy) {
            result = queries.getObjectsToDestroy(nowMillis, destroyGraceMillis);
        } else if (query instanceof DescribeCluster) {
            result = new ClusterDescription(store.clusterId(), appliedOffset);
        } else {
            throw new IllegalArgumentException("unknown query " + query);
        }
        return (R) result;
    }

    @Override
    public void close() {
        store.close();
    }
}
