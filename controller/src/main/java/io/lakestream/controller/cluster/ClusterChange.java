package io.lakestream.controller.cluster;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * One change of cluster metadata inside a {@link ClusterDelta}. Each change carries the whole
 * new value of what it changes, so applying it needs nothing but the change itself.
 */
public sealed interface ClusterChange {

    /** A broker registered, or its fenced or shutdown state changed. */
    record BrokerChanged(BrokerRegistration broker) implements ClusterChange {}

    /** A topic was created or its configs changed; its partitions come as {@link PartitionChanged}. */
    record TopicChanged(Uuid topicId, String name, Map<String, String> configs) implements ClusterChange {
        public TopicChanged {
            configs = TopicDescription.sortedCopy(configs);
        }
    }

    /** A topic and all its partitions were deleted. */
    record TopicRemoved(Uuid topicId) implements ClusterChange {}

    /** A partition was created, or its leader or leader epoch changed. */
    record PartitionChanged(PartitionState partition) implements ClusterChange {}
}
