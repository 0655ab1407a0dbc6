package io.lakestream.controller.raft;

import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The controller voters: a cluster id (which is also the Raft group id) and each voter's id
 * and {@code host:port}. Immutable.
 */
public record ControllerQuorum(UUID clusterId, List<Voter> voters) {

    public record Voter(String id, String address) {}

    public ControllerQuorum {
        voters = List.copyOf(voters);
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a controller quorum needs at least one voter");
        }
    }

    public RaftGroup raftGroup() {
        return RaftGroup.valueOf(RaftGroupId.valueOf(clusterId),
            voters.stream().map(v -> RaftPeer.newBuilder().setId(v.id()).setAddress(v.address()).build()).toList());
    }

    public Voter voter(String id) {
        return voters.stream().filter(v -> v.id().equals(id)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no voter " + id + " in " + voters));
    }
}
