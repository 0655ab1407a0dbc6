package io.lakestream.broker.partition;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;

/** The partitions this broker leads, as the request handlers see them. Thread-safe. */
public interface LeaderPartitions {

    /**
     * The log of a partition this broker leads.
     *
     * @throws ApiException {@code UnknownTopicOrPartitionException} for a topic or partition
     *     that does not exist, {@code NotLeaderOrFollowerException} for one led elsewhere or not
     *     yet open here
     */
    PartitionLog leaderLog(TopicPartition topicPartition);

    /** The logs of every partition open here, for the admin APIs that describe them. */
    Collection<PartitionLog> openLogs();

    /** Every topic's name by its id (not only the topics led here); unmodifiable. */
    Map<Uuid, String> topicNames();

    /** The id of the topic with this name, or {@link Uuid#ZERO_UUID} if it does not exist. */
    Uuid topicId(String topicName);
}
