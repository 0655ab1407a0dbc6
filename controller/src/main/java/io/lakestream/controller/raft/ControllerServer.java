package io.lakestream.controller.raft;

import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.command.ControllerQuery;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.NetUtils;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller voter: a Ratis server over gRPC running a {@link RaftMetadataStateMachine}.
 * A one-voter quorum is the embedded default. Restarting on the same storage directory
 * recovers the log, the snapshots and the live state. Thread-safe.
 */
public final class ControllerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerServer.class);
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    static {
        // Ratis continues each follower append with CompletableFuture.thenComposeAsync on the
        // common pool. With a parallelism below 2 (any machine with 2 cores or fewer) the JDK runs
        // such tasks on a new thread each: measured ~13,000 threads started in 40 s of commits on 2
        // cores. Ask for a real pool unless the process chose; start() warns if it is too late.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
        }
    }

    private final ControllerServerConfig config;
    private final RaftServer server;
    private final RaftMetadataStateMachine stateMachine;
    private final BrokerSessionExpirer sessionExpirer;
    private final Gauge fencedBrokers;
    private final Gauge active;

    private ControllerServer(ControllerServerConfig config, RaftServer server, RaftMetadataStateMachine stateMachine) {
        this.config = config;
        this.server = server;
        this.stateMachine = stateMachine;
        this.sessionExpirer = new BrokerSessionExpirer(server, config.quorum().raftGroup().getGroupId(), stateMachine,
            config.brokerSessionTimeoutMillis(), config.clockMillis());
        this.fencedBrokers = Gauge.builder("lakestream.controller.brokers.fenced", this, ControllerServer::fencedBrokerCount)
            .description("Registered brokers fenced for a missed session or a controlled shutdown")
            .tag("voter", config.voterId()).strongReference(true).register(config.meterRegistry());
        // Kafka's ActiveControllerCount: 1 on the leader, 0 elsewhere; summed over voters it must be 1.
        this.active = Gauge.builder("lakestream.controller.active", this, voter -> voter.isLeader() ? 1 : 0)
            .description("1 if this voter is the leader and has committed an entry of its term, else 0")
            .tag("voter", config.voterId()).strongReference(true).register(config.meterRegistry());
    }

    /** Starts the voter; it joins its quorum's election right away. */
    public static ControllerServer start(ControllerServerConfig config) {
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            LOG.warn("The common ForkJoinPool has parallelism {}, so Ratis starts a thread per follower append;"
                + " start the JVM with -D{}=2", ForkJoinPool.getCommonPoolParallelism(), COMMON_POOL_PARALLELISM);
        }
        try {
            Files.createDirectories(config.storageDir());
            RaftMetadataStateMachine stateMachine =
                new RaftMetadataStateMachine(config.clockMillis(), config.destroyGraceMillis(),
                    config.meterRegistry(), config.voterId(), config.lakestreamTopicConfigs());
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
        // Ratis' Netty transport: against its gRPC one, the three-process benchmark committed
        // 4,690-5,090 objects/s at p99 15-16 ms instead of 2,733-3,598 at 20-25 ms (docs/benchmarks.md).
        RaftConfigKeys.Rpc.setType(properties, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setPort(properties,
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
        // Election timeouts of 1-2 s, as KRaft's controller.quorum.election.timeout.ms (1 s): Ratis'
        // 150-300 ms defaults call elections whenever a GC pause or a busy CPU delays a heartbeat,
        // and a quorum that keeps electing commits nothing.
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
        // Group commit towards the followers: see ControllerServerConfig.appendBatchMillis.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(properties,
            TimeDuration.valueOf(config.appendBatchMillis(), TimeUnit.MILLISECONDS));
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
     * Fenced brokers by this voter's state (possibly a little behind the leader); the
     * {@code lakestream.controller.brokers.fenced} gauge reads it.
     */
    public long fencedBrokerCount() {
        return stateMachine.queryLocal(new ControllerQuery.DescribeBrokers()).stream()
            .filter(BrokerRegistration::fenced).count();
    }

    /** Stops the voter; its storage stays for a restart. */
    @Override
    public void close() {
        config.meterRegistry().remove(fencedBrokers);
        config.meterRegistry().remove(active);
        sessionExpirer.close();
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop controller " + config.voterId(), e);
        }
    }
}
