package io.lakestream.broker.handler.admin;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers: the idempotent producers whose state a partition led here keeps. A
 * partition led elsewhere (or still opening) is answered NOT_LEADER_OR_FOLLOWER, so the Admin
 * client finds its leader and asks again; one that does not exist UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class DescribeProducersHandler implements RequestHandler {
    private final LeaderPartitions partitions;

    public DescribeProducersHandler(LeaderPartitions partitions) {
        this.partitions = partitions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DescribeProducersRequestData describe = request.body(DescribeProducersRequest.class).data();
        DescribeProducersResponseData data = new DescribeProducersResponseData();
        for (TopicRequest topic : describe.topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            data.topics().add(topicResponse);
            for (int partition : topic.partitionIndexes()) {
                PartitionResponse response = new PartitionResponse().setPartitionIndex(partition);
                topicResponse.partitions().add(response);
                try {
                    response.setActiveProducers(partitions.leaderLog(new TopicPartition(topic.name(), partition))
                        .activeProducers()).setErrorCode(Errors.NONE.code());
                } catch (ApiException e) {
                    response.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
                }
            }
        }
        return CompletableFuture.completedFuture(new DescribeProducersResponse(data));
    }
}
