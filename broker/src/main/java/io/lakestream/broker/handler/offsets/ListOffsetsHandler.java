package io.lakestream.broker.handler.offsets;

import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLog.TimestampAndOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: the earliest and latest offsets, the record with the largest timestamp, and the
 * first offset at or after a timestamp, with the answers Apache Kafka gives. Everything is in
 * the object store, so the "local" and "tiered" special timestamps answer as a Kafka broker
 * without tiered storage does.
 */
public final class ListOffsetsHandler implements RequestHandler {
    /**
     * The first version whose response carries the leader epoch; an older one (librdkafka
     * 2.0 asks with v2) cannot be serialized with a known epoch in it.
     */
    private static final short LEADER_EPOCH_VERSION = 4;

    private final LeaderPartitions partitions;

    public ListOffsetsHandler(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ListOffsetsRequest listOffsets = request.body(ListOffsetsRequest.class);
        Set<TopicPartition> duplicates = listOffsets.duplicatePartitions();
        Set<TopicPartition> answeredDuplicates = new HashSet<>();
        ListOffsetsResponseData data = new ListOffsetsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ListOffsetsTopic topic : listOffsets.topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            data.topics().add(topicResponse);
            for (ListOffsetsPartition partition : topic.partitions()) {
                TopicPartition topicPartition = new TopicPartition(topic.name(), partition.partitionIndex());
                if (duplicates.contains(topicPartition) && !answeredDuplicates.add(topicPartition)) {
                    continue; // As Kafka: a partition asked for twice gets one INVALID_REQUEST entry.
                }
                ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse()
                    .setPartitionIndex(partition.partitionIndex())
                    .setTimestamp(ListOffsetsResponse.UNKNOWN_TIMESTAMP)
                    .setOffset(ListOffsetsResponse.UNKNOWN_OFFSET)
                    .setLeaderEpoch(ListOffsetsResponse.UNKNOWN_EPOCH);
                topicResponse.partitions().add(response);
                if (duplicates.contains(topicPartition)) {
                    response.setErrorCode(Errors.INVALID_REQUEST.code());
                    continue;
                }
                pending.add(answer(topicPartition, partition, response, request.apiVersion() >= LEADER_EPOCH_VERSION,
                    listOffsets.isolationLevel()));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new ListOffsetsResponse(data));
    }

    private CompletableFuture<Void> answer(TopicPartition topicPartition, ListOffsetsPartition request,
                                           ListOffsetsPartitionResponse response, boolean withLeaderEpoch,
                                           IsolationLevel isolation) {
        PartitionLog log;
        try {
            log = partitions.leaderLog(topicPartition);
        } catch (RuntimeException e) {
            response.setErrorCode(Errors.forException(e).code());
            return CompletableFuture.completedFuture(null);
        }
        Errors epochError = log.checkLeaderEpoch(request.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            response.setErrorCode(epochError.code());
            return CompletableFuture.completedFuture(null);
        }
        long timestamp = request.timestamp();
        CompletableFuture<Optional<TimestampAndOffset>> found;
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            found = offsetOnly(log.logStartOffset(), log.leaderEpoch());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            // A read-committed consumer's end is the last stable offset, as it reads no further.
            found = offsetOnly(log.readableEnd(isolation), log.leaderEpoch());
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            found = log.maxTimestamp();
        } else if (timestamp >= 0) {
            found = log.offsetForTimestamp(timestamp);
        } else {
            // LATEST_TIERED and EARLIEST_PENDING_UPLOAD: no tiered storage, as Kafka answers without it.
            found = CompletableFuture.completedFuture(Optional.empty());
        }
        return found.handle((answer, error) -> {
            if (error != null) {
                response.setErrorCode(Errors.forException(Failures.cause(error)).code());
            } else {
                response.setErrorCode(Errors.NONE.code());
                answer.ifPresent(value -> {
                    response.setTimestamp(value.timestamp()).setOffset(value.offset());
                    if (withLeaderEpoch) {
                        response.setLeaderEpoch(value.leaderEpoch());
                    }
                });
            }
            return null;
        });
    }

    private static CompletableFuture<Optional<TimestampAndOffset>> offsetOnly(long offset, int epoch) {
        return CompletableFuture.completedFuture(Optional.of(
            new TimestampAndOffset(ListOffsetsResponse.UNKNOWN_TIMESTAMP, offset, epoch)));
    }
}
