package io.lakestream.controller.raft;

import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.command.ControllerQuery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.SizeInBytes;

/**
 * One controller voter: a Ratis server over gRPC running a {@link RaftMetadataStateMachine}.
 * A one-voter quorum is the embedded default. Restarting on the same storage directory
 * recovers the log, the snapshots and the live state. Thread-safe.
 */
public final class ControllerServer implements AutoCloseable {
    private final ControllerServerConfig config;
    private final RaftServer server;
    private final RaftMetadataStateMachine stateMachine;
    private final BrokerSessionExpirer sessionExpirer;

    private ControllerServer(ControllerServerConfig config, RaftServer server, RaftMetadataStateMachine stateMachine) {
        this.config = config;
        this.server = server;
        this.stateMachine = stateMachine;
        this.sessionExpirer = new BrokerSessionExpirer(server, config.quorum().raftGroup().getGroupId(), stateMachine,
            config.brokerSessionTimeoutMillis(), config.clockMillis());
    }

    /** Starts the voter; it joins its quorum's election right away. */
    public static ControllerServer start(ControllerServerConfig config) {
        try {
            Files.createDirectories(config.storageDir());
            RaftMetadataStateMachine stateMachine =
                new RaftMetadataStateMachine(config.clockMillis(), config.destroyGraceMillis());
            RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(config.voterId()))
                .setGroup(config.quorum().raftGroup())
                .setProperties(properties(config))
                .setStateMachine(stateMachine)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
            server.start();
            ControllerServer controller = new ControllerServer(config, server, stateMachine);
            controller.sessionExpirer.start();
            return controller;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start controller " + config.voterId() + " in "
                + config.storageDir(), e);
        }
    }

    private static RaftProperties properties(ControllerServerConfig config) {
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(config.storageDir().toFile()));
        GrpcConfigKeys.Server.setPort(properties,
            NetUtils.createSocketAddr(config.quorum().voter(config.voterId()).address()).getPort());
        // Reads go through the leader's read index, so they see every command acknowledged before them.
        RaftServerConfigKeys.Read.setOption(properties, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf(config.logSegmentBytes()));
        if (config.snapshotEveryEntries() > 0) {
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, config.snapshotEveryEntries());
            // Purge the log up to each snapshot, so a voter that fell behind it installs the snapshot.
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
            RaftServerConfigKeys.Log.setPurgeGap(properties, (int) Math.min(config.snapshotEveryEntries(), 1024));
        }
        return properties;
    }

    public String voterId() {
        return config.voterId();
    }

    public ControllerServerConfig config() {
        return config;
    }

    /** The Ratis server, for tests that talk Raft directly. */
    public RaftServer raftServer() {
        return server;
    }

    /** Whether this voter leads and has committed an entry of its term, so it can take commands. */
    public boolean isLeader() {
        try {
            return server.getDivision(config.quorum().raftGroup().getGroupId()).getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /** The log index this voter has applied. */
    public long appliedIndex() {
        try {
            return server.getDivision(config.quorum().raftGroup().getGroupId()).getInfo().getLastAppliedIndex();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fenced brokers by this voter's state (possibly a little behind the leader). The
     * controller has no MeterRegistry yet; this is what a {@code lakestream.controller.brokers.fenced}
     * gauge will read.
     */
    public long fencedBrokerCount() {
        return stateMachine.queryLocal(new ControllerQuery.DescribeBrokers()).stream()
            .filter(BrokerRegistration::fenced).count();
    }

    /** Stops the voter; its storage stays for a restart. */
    @Override
    public void close() {
        sessionExpirer.close();
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop controller " + config.voterId(), e);
        }
    }
}
