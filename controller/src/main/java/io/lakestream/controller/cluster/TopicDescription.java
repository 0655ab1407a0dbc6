package io.lakestream.controller.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic: its id, name, config overrides (only the keys set on the topic, sorted) and its
 * partitions in partition order.
 */
public record TopicDescription(Uuid topicId, String name, Map<String, String> configs,
                               List<PartitionState> partitions) {
    public TopicDescription {
        configs = sortedCopy(configs);
        partitions = List.copyOf(partitions);
    }

    public int partitionCount() {
        return partitions.size();
    }

    public PartitionState partition(int partition) {
        return partition >= 0 && partition < partitions.size() ? partitions.get(partition) : null;
    }

    /** An unmodifiable copy that iterates in key order, so encodings are deterministic. */
    public static Map<String, String> sortedCopy(Map<String, String> map) {
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
