package io.lakestream.controller.cluster;

import java.util.List;

/** The cluster metadata changes of the command applied at {@code offset}, in the order they were made. */
public record ClusterDelta(long offset, List<ClusterChange> changes) {
    public ClusterDelta {
        changes = List.copyOf(changes);
    }
}
