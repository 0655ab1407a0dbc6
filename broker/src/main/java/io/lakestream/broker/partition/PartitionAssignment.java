package io.lakestream.broker.partition;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * A partition the controller assigned to this broker: the stream that holds it, the leader
 * epoch of this assignment and the topic's effective config.
 */
public record PartitionAssignment(Uuid topicId, TopicPartition topicPartition, long streamId, int leaderEpoch,
                                  LogConfig config) {}
