package io.lakestream.controller.raft;

import java.nio.file.Path;
import java.util.function.LongSupplier;

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
 */
public record ControllerServerConfig(String voterId, ControllerQuorum quorum, Path storageDir,
                                     LongSupplier clockMillis, long destroyGraceMillis, long snapshotEveryEntries,
                                     long logSegmentBytes, long brokerSessionTimeoutMillis) {
    public static final long DEFAULT_DESTROY_GRACE_MILLIS = 60_000;
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 100_000;
    public static final long DEFAULT_LOG_SEGMENT_BYTES = 8L << 20;
    public static final long DEFAULT_BROKER_SESSION_TIMEOUT_MILLIS = 9_000;

    /** A voter with the wall clock and default snapshot and grace settings. */
    public static ControllerServerConfig of(String voterId, ControllerQuorum quorum, Path storageDir) {
        return new ControllerServerConfig(voterId, quorum, storageDir, System::currentTimeMillis,
            DEFAULT_DESTROY_GRACE_MILLIS, DEFAULT_SNAPSHOT_EVERY_ENTRIES, DEFAULT_LOG_SEGMENT_BYTES,
            DEFAULT_BROKER_SESSION_TIMEOUT_MILLIS);
    }

    public ControllerServerConfig withClock(LongSupplier clock, long graceMillis) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clock, graceMillis, snapshotEveryEntries,
            logSegmentBytes, brokerSessionTimeoutMillis);
    }

    public ControllerServerConfig withSnapshots(long everyEntries, long segmentBytes) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis, everyEntries,
            segmentBytes, brokerSessionTimeoutMillis);
    }

    public ControllerServerConfig withBrokerSessionTimeout(long timeoutMillis) {
        return new ControllerServerConfig(voterId, quorum, storageDir, clockMillis, destroyGraceMillis,
            snapshotEveryEntries, logSegmentBytes, timeoutMillis);
    }
}
