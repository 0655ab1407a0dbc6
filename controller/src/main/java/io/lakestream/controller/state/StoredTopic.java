package io.lakestream.controller.state;

import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.ClusterCodecs;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic as stored in {@link Table#TOPICS} (its id is the key); its partitions are rows of
 * {@link Table#PARTITIONS}.
 *
 * <pre>
 * +------------+----------------+-------------------------------------------+
 * | string     | name           |                                           |
 * | int32      | partitionCount | partitions 0 .. count-1 exist             |
 * | string map | configs        | the overrides set on the topic, key order |
 * +------------+----------------+-------------------------------------------+
 * </pre>
 */
record StoredTopic(Uuid topicId, String name, int partitionCount, Map<String, String> configs) {
    StoredTopic {
        configs = TopicDescription.sortedCopy(configs);
    }

    StoredTopic withPartitionCount(int count) {
        return new StoredTopic(topicId, name, count, configs);
    }

    StoredTopic withConfigs(Map<String, String> newConfigs) {
        return new StoredTopic(topicId, name, partitionCount, newConfigs);
    }

    byte[] toBytes() {
        ByteWriter writer = new ByteWriter(64).writeString(name).writeInt(partitionCount);
        ClusterCodecs.STRING_MAP.write(writer, configs);
        return writer.toByteArray();
    }

    static StoredTopic fromBytes(Uuid topicId, byte[] bytes) {
        ByteReader reader = new ByteReader(bytes);
        StoredTopic topic = new StoredTopic(topicId, reader.readString(), reader.readInt(),
            ClusterCodecs.STRING_MAP.read(reader));
        reader.expectEnd();
        return topic;
    }
}
