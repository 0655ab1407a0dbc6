package io.lakestream.controller.raft;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.ConfigDef;

/**
 * How one controller voter runs.
 *
 * @param voterId this voter's id in the quorum
 * @param quorum every voter, this one included
 * @param storageDir the Raft log, snapshots and the live RocksDB state
 * @param clockMillis the clock the leader stamps on commands (tests inject one)
 * @param destroyGraceMillis how long unreferenced objects stay before they are listed for deletion
 * @param snapshotEveryEntries take a snapshot every this many applied entries (0: never on its own)
 * @param logSegmentBytes the Raft log segment size; the log is purged by whole segments after a snapshot
 * @param brokerSessionTimeoutMillis a broker whose last heartbeat is this old is fenced
 * @param appendBatchMillis the least time between two appendEntries calls from the leader to one
 *     follower: entries that arrive meanwhile travel (and are fsynced by the follower) as one batch.
 *     Adds at most this much to a commit's latency; 0 sends every entry on its own
 * @param meterRegistry where the voter's {@code lakestream.controller.*} meters go, tagged with the
 *     voter id
 * @param lakestreamTopicConfigs the topic configs beyond Kafka's that topics may set (table topics');
 *     every voter of a quorum must have the same
 */
public record ControllerServerConfig(String voterId, ControllerQuorum quorum, Path storageDir,
                                     LongSupplier clockMillis, long destroyGraceMillis, long snapshotEveryEntries,
                                     long logSegmentBytes, long brokerSessionTimeoutMillis, long appendBatchMillis,
                                     MeterRegistry meterRegistry, ConfigDef lakestreamTopicConfigs) {
    public static final long DEFAULT_DESTROY_GRACE_MILLIS = 60_000;
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000;
    public static final long DEFAULT_LOG_SEGMENT_BYTES = 8L << 20;
    public static final long DEFAULT_BROKER_SESSION_TIMEOUT_MILLIS = 9_000;
    /**
     * Ratis' own default. Measured with ControllerCommitRate (docs/benchmarks.md): 3 ms cut the CPU
     * per commit by a third while each command was its own entry; with the client batching commands
     * into entries, 1 ms did as well and answers sooner.
     */
    public static final long DEFAULT_APPEND_BATCH_MILLIS = 1;

    /**
     * A voter with the wall clock, default snapshot, grace, session and batching settings, and
     * meters in Micrometer's global registry: the process exports them wherever its other meters
     * go (and nowhere, at no cost, until a registry is added to it).
     */
    public static ControllerServerConfig of(String voterId, ControllerQuorum quorum, Path storageDir) {
        return new ControllerServerConfig(voterId, quorum, storageDir, System::currentTimeMillis,
            DEFAULT_DESTROY_GRACE_MILLIS, DEFAULT_SNAPSHOT_EVERY_ENTRIES, DEFAULT_LOG_SEGMENT_BYTES,
            DEFAULT_BROKER_SESSION_TIMEOUT_MILLIS, DEFAULT_APPEND_BATCH_MILLIS, Metrics.globalRegistry,
            new ConfigDef());
    }

    public ControllerServerConfig withClock(LongSupplier clock, long graceMillis) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clock, graceMillis, snapshotEveryEntries,
            logSegmentBytes, brokerSessionTimeoutMillis, appendBatchMillis, meterRegistry, lakestreamTopicConfigs);
    }

    public ControllerServerConfig withSnapshots(long everyEntries, long segmentBytes) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis, everyEntries,
            segmentBytes, brokerSessionTimeoutMillis, appendBatchMillis, meterRegistry, lakestreamTopicConfigs);
    }

    public ControllerServerConfig withBrokerSessionTimeout(long timeoutMillis) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis,
            snapshotEveryEntries, logSegmentBytes, timeoutMillis, appendBatchMillis, meterRegistry,
            lakestreamTopicConfigs);
    }

    public ControllerServerConfig withAppendBatchMillis(long millis) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis,
            snapshotEveryEntries, logSegmentBytes, brokerSessionTimeoutMillis, millis, meterRegistry,
            lakestreamTopicConfigs);
    }

    public ControllerServerConfig withLakestreamTopicConfigs(ConfigDef configs) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis,
            snapshotEveryEntries, logSegmentBytes, brokerSessionTimeoutMillis, appendBatchMillis, meterRegistry,
            configs);
    }

    public ControllerServerConfig withMeterRegistry(MeterRegistry registry) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis,
            snapshotEveryEntries, logSegmentBytes, brokerSessionTimeoutMillis, appendBatchMillis, registry,
            lakestreamTopicConfigs);
    }
}
