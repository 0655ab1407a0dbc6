package io.lakestream.controller.state;

import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.PartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Chooses partition leaders: among brokers that can lead (unfenced, not shutting down), the
 * one that leads the fewest partitions, the lowest node id on a tie; {@link
 * PartitionState#NO_LEADER} when none can. Every leader change bumps the leader epoch and is
 * recorded in the command's {@link ClusterDeltaLog}. Deterministic: it reads only the state.
 * One instance per command, confined to the applying thread.
 */
final class LeaderPlacement {
    private final MetadataTransaction tx;
    private final ClusterReads reads;
    private final ClusterDeltaLog deltas;
    /** Partitions led, per broker that can lead; loaded on first use, then kept up to date. */
    private TreeMap<Integer, Integer> leaderLoad;

    LeaderPlacement(MetadataTransaction tx, ClusterReads reads, ClusterDeltaLog deltas) {
        this.tx = tx;
        this.reads = reads;
        this.deltas = deltas;
    }

    /** The leader for a new partition; counts it as led. */
    int leaderForNewPartition() {
        return pick(PartitionState.NO_LEADER);
    }

    /** Moves every partition {@code nodeId} leads to another broker, or to no leader. */
    void moveLeadersOff(int nodeId) {
        forgetBroker(nodeId);
        for (PartitionState partition : partitionsLedBy(nodeId)) {
            put(partition.withNewLeader(pick(nodeId)));
        }
    }

    /** Gives a leader to every partition that has none, while some broker can lead. */
    void placeLeaderless() {
        for (PartitionState partition : partitionsLedBy(PartitionState.NO_LEADER)) {
            int leader = pick(PartitionState.NO_LEADER);
            if (leader == PartitionState.NO_LEADER) {
                return;
            }
            put(partition.withNewLeader(leader));
        }
    }

    /** Bumps the leader epoch of every partition {@code nodeId} leads: a new incarnation must reopen them. */
    void bumpEpochsLedBy(int nodeId) {
        for (PartitionState partition : partitionsLedBy(nodeId)) {
            put(partition.withNewLeader(nodeId));
        }
    }

    boolean leadsAnything(int nodeId) {
        return !partitionsLedBy(nodeId).isEmpty();
    }

    void put(PartitionState partition) {
        tx.put(Table.PARTITIONS, Keys.topicPartition(partition.topicId(), partition.partition()),
            ClusterReads.partitionValue(partition));
        deltas.add(new ClusterChange.PartitionChanged(partition));
    }

    private List<PartitionState> partitionsLedBy(int nodeId) {
        List<PartitionState> led = new ArrayList<>();
        for (PartitionState partition : reads.allPartitions()) {
            if (partition.leader() == nodeId) {
                led.add(partition);
            }
        }
        return led;
    }

    private int pick(int excludedNodeId) {
        Map<Integer, Integer> load = load();
        int best = PartitionState.NO_LEADER;
        for (Map.Entry<Integer, Integer> e : load.entrySet()) {
            if (e.getKey() != excludedNodeId && (best == PartitionState.NO_LEADER || e.getValue() < load.get(best))) {
                best = e.getKey();
            }
        }
        if (best != PartitionState.NO_LEADER) {
            load.merge(best, 1, Integer::sum);
        }
        return best;
    }

    private void forgetBroker(int nodeId) {
        load().remove(nodeId);
    }

    private TreeMap<Integer, Integer> load() {
        if (leaderLoad == null) {
            leaderLoad = new TreeMap<>();
            reads.brokers().stream().filter(b -> b.registration().canLead())
                .forEach(b -> leaderLoad.put(b.nodeId(), 0));
            for (PartitionState partition : reads.allPartitions()) {
                leaderLoad.computeIfPresent(partition.leader(), (node, count) -> count + 1);
            }
        }
        return leaderLoad;
    }
}
