package io.lakestream.broker.handler.txn;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * TxnOffsetCommit: the offsets a transactional producer commits for a group, written by Kafka's
 * group coordinator as a transactional batch to the group's partition of
 * {@code __consumer_offsets}; they become the group's offsets when the transaction's COMMIT
 * marker is written there, and are dropped with its ABORT. Unknown topics (topic ids from v6)
 * are answered here, as Kafka's KafkaApis answers them.
 */
public final class TxnOffsetCommitHandler implements RequestHandler {
    private final GroupCoordinator groups;
    private final ClusterViewHolder views;

    public TxnOffsetCommitHandler(GroupCoordinator groups, ClusterViewHolder views) {
        this.groups = groups;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        TxnOffsetCommitRequest commit = request.body(TxnOffsetCommitRequest.class);
        TxnOffsetCommitRequestData data = commit.data();
        boolean useTopicIds = TxnOffsetCommitResponse.useTopicIds(request.apiVersion());
        ClusterView view = views.current();
        TxnOffsetCommitResponseData refused = new TxnOffsetCommitResponseData();
        List<TxnOffsetCommitRequestTopic> known = new ArrayList<>();
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicView> found = useTopicIds ? view.topic(topic.topicId()) : view.topic(topic.name());
            if (found.isEmpty()) {
                TxnOffsetCommitResponseTopic answer = new TxnOffsetCommitResponseTopic().setName(topic.name())
                    .setTopicId(topic.topicId());
                for (TxnOffsetCommitRequestPartition partition : topic.partitions()) {
                    answer.partitions().add(new TxnOffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex())
                        .setErrorCode((useTopicIds ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code()));
                }
                refused.topics().add(answer);
                continue;
            }
            known.add(new TxnOffsetCommitRequestTopic().setName(found.get().name()).setTopicId(found.get().id())
                .setPartitions(topic.partitions()));
        }
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(new TxnOffsetCommitResponse(refused));
        }
        TxnOffsetCommitRequestData forCoordinator = data.duplicate().setTopics(known);
        return groups.commitTransactionalOffsets(request.context(), forCoordinator, BufferSupplier.NO_CACHING)
            .handle((result, error) -> {
                if (error != null) {
                    return commit.getErrorResponse(Failures.cause(error));
                }
                result.topics().addAll(refused.topics());
                return new TxnOffsetCommitResponse(result);
            });
    }
}
