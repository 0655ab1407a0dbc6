package io.lakestream.broker.handler.admin;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords: moves each partition's log start offset forward (offset -1 means the high
 * watermark). The stream is trimmed at the controller, so the move survives restarts and
 * whole objects below it become garbage.
 */
public final class DeleteRecordsHandler implements RequestHandler {
    private final LeaderPartitions partitions;

    public DeleteRecordsHandler(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DeleteRecordsRequest delete = request.body(DeleteRecordsRequest.class);
        DeleteRecordsResponseData data = new DeleteRecordsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (DeleteRecordsTopic topic : delete.data().topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            data.topics().add(topicResult);
            for (DeleteRecordsPartition partition : topic.partitions()) {
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                    .setPartitionIndex(partition.partitionIndex())
                    .setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
                topicResult.partitions().add(result);
                pending.add(trim(new TopicPartition(topic.name(), partition.partitionIndex()), partition.offset(),
                    result));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> new DeleteRecordsResponse(data));
    }

    private CompletableFuture<Void> trim(TopicPartition topicPartition, long offset, DeleteRecordsPartitionResult result) {
        PartitionLog log;
        try {
            log = partitions.leaderLog(topicPartition);
        } catch (RuntimeException e) {
            result.setErrorCode(Errors.forException(e).code());
            return CompletableFuture.completedFuture(null);
        }
        long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? log.highWatermark() : offset;
        if (target < 0 || target > log.highWatermark()) {
            result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            return CompletableFuture.completedFuture(null);
        }
        return log.trim(target).handle((ignored, error) -> {
            if (error != null) {
                result.setErrorCode(AdminErrors.code(error).code());
            } else {
                result.setErrorCode(Errors.NONE.code()).setLowWatermark(log.logStartOffset());
            }
            return null;
        });
    }
}
