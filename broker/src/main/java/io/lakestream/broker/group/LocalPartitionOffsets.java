package io.lakestream.broker.group;

import io.lakestream.broker.partition.LeaderPartitions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.server.util.PartitionMetadataClient;

/**
 * The latest offsets (high watermarks) of the partitions this broker leads, which Kafka's
 * coordinator asks for to compute the lag of share groups. Share groups are not served, so
 * this only answers for local partitions, and an error for the others. Thread-safe.
 */
final class LocalPartitionOffsets implements PartitionMetadataClient {
    private final LeaderPartitions partitions;

    LocalPartitionOffsets(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public Map<TopicPartition, CompletableFuture<OffsetResponse>> listLatestOffsets(Set<TopicPartition> topicPartitions) {
        Map<TopicPartition, CompletableFuture<OffsetResponse>> offsets = new HashMap<>();
        for (TopicPartition tp : topicPartitions) {
            OffsetResponse response;
            try {
                response = new OffsetResponse(partitions.leaderLog(tp).highWatermark(), Errors.NONE);
            } catch (ApiException e) {
                response = new OffsetResponse(-1, Errors.forException(e));
            }
            offsets.put(tp, CompletableFuture.completedFuture(response));
        }
        return offsets;
    }

    @Override
    public void close() {
    }
}
