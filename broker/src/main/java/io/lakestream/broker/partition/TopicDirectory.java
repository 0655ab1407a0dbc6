package io.lakestream.broker.partition;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Which topics exist and how many partitions each has, from the broker's metadata image. */
public interface TopicDirectory {

    /** Every topic's name by its id; unmodifiable, and as current as the directory. */
    Map<Uuid, String> topicNames();

    /** {@link Uuid#ZERO_UUID} if there is no such topic. */
    Uuid topicId(String topicName);

    /** The topic's partition count, or -1 if there is no such topic. */
    int partitionCount(String topicName);

    TopicDirectory EMPTY = new TopicDirectory() {
        @Override
        public Map<Uuid, String> topicNames() {
            return Map.of();
        }

        @Override
        public Uuid topicId(String topicName) {
            return Uuid.ZERO_UUID;
        }

        @Override
        public int partitionCount(String topicName) {
            return -1;
        }
    };
}
