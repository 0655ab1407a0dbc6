package io.lakestream.broker.handler.offsets;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;

/**
 * OffsetForLeaderEpoch, which consumers send after a leader change to detect truncation. A
 * Lakestream partition is never truncated (there are no replicas to diverge), so the answer
 * is the requested epoch with the offset where it ended, or the log end for the current one;
 * for no epoch (-1) or one newer than the current, it is -1 and -1, as Kafka answers.
 */
public final class OffsetForLeaderEpochHandler implements RequestHandler {
    private final LeaderPartitions partitions;

    public OffsetForLeaderEpochHandler(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        OffsetsForLeaderEpochRequest epochs = request.body(OffsetsForLeaderEpochRequest.class);
        OffsetForLeaderEpochResponseData data = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : epochs.data().topics()) {
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            data.topics().add(result);
            for (OffsetForLeaderPartition partition : topic.partitions()) {
                result.partitions().add(answer(new TopicPartition(topic.topic(), partition.partition()), partition));
            }
        }
        return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(data));
    }

    private EpochEndOffset answer(TopicPartition topicPartition, OffsetForLeaderPartition request) {
        EpochEndOffset answer = new EpochEndOffset()
            .setPartition(request.partition())
            .setLeaderEpoch(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH)
            .setEndOffset(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET);
        PartitionLog log;
        try {
            log = partitions.leaderLog(topicPartition);
        } catch (RuntimeException e) {
            return answer.setErrorCode(Errors.forException(e).code());
        }
        Errors epochError = log.checkLeaderEpoch(request.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return answer.setErrorCode(epochError.code());
        }
        answer.setErrorCode(Errors.NONE.code());
        if (request.leaderEpoch() == OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH
            || request.leaderEpoch() > log.leaderEpoch()) {
            // As Kafka's leader epoch cache: no epoch, or one newer than any this log has seen, has no end.
            return answer;
        }
        return answer.setLeaderEpoch(request.leaderEpoch()).setEndOffset(log.endOffsetForEpoch(request.leaderEpoch()));
    }
}
