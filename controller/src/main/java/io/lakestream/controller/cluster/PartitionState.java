package io.lakestream.controller.cluster;

import org.apache.kafka.common.Uuid;

/**
 * One partition: the stream that holds its records, its leader and the leader's epoch. Storage
 * is shared, so the leader is the only replica.
 *
 * @param leader a broker's node id, or {@link #NO_LEADER} when no broker can lead
 * @param leaderEpoch starts at 0 and grows by one on every leader change
 */
public record PartitionState(Uuid topicId, int partition, long streamId, int leader, int leaderEpoch) {
    public static final int NO_LEADER = -1;

    /** This partition led by {@code newLeader}, one epoch later. */
    public PartitionState withNewLeader(int newLeader) {
        return new PartitionState(topicId, partition, streamId, newLeader, leaderEpoch + 1);
    }
}
