package io.lakestream.controller.cluster;

import java.util.List;

/**
 * The answer to {@code GetClusterDeltas}: the deltas after the offset asked for, in offset
 * order; or, when that offset is older than the deltas the controller retains, a
 * {@code snapshot} of everything (and no deltas).
 */
public record ClusterDeltas(ClusterSnapshot snapshot, List<ClusterDelta> deltas) {
    public ClusterDeltas {
        deltas = List.copyOf(deltas);
    }
}
