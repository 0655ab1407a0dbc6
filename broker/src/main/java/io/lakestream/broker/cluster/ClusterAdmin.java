package io.lakestream.broker.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;

/**
 * Changes to the cluster metadata that brokers ask the controller for. Each future fails with
 * the {@link org.apache.kafka.common.errors.ApiException} a Kafka client should see (topic
 * exists, invalid config, ...) when the controller refuses. Thread-safe.
 */
public interface ClusterAdmin {

    CompletableFuture<Uuid> createTopic(String name, int partitions, Map<String, String> configs);

    /** Checks new topic configs as {@link #createTopic} would, creating nothing (a validate-only CreateTopics). */
    CompletableFuture<Void> validateTopicConfigs(String name, Map<String, String> configs);

    CompletableFuture<Void> deleteTopic(String name);

    CompletableFuture<Void> createPartitions(String topic, int totalCount);

    /** Sets ({@code value} non-null) or removes ({@code value} null) topic configs. */
    CompletableFuture<Void> alterTopicConfigs(String topic, Map<String, String> changes, boolean validateOnly);

    /** A block of producer ids reserved for this broker: {@code [first, first + size)}. */
    CompletableFuture<ProducerIdBlock> allocateProducerIds();

    record ProducerIdBlock(long firstId, int size) {}
}
