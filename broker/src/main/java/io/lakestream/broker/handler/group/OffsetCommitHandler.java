package io.lakestream.broker.handler.group;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * OffsetCommit: as Kafka's broker, partitions of unknown topics (or unknown topic ids, from
 * v10) are answered here with UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID) and the rest go to
 * the coordinator, named and identified both ways; the two answers are merged. The response
 * is sent once the commit is durable in the write-ahead log.
 */
public final class OffsetCommitHandler implements RequestHandler {
    private final GroupCoordinator coordinator;
    private final ClusterViewHolder views;

    public OffsetCommitHandler(GroupCoordinator coordinator, ClusterViewHolder views) {
        this.coordinator = coordinator;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        OffsetCommitRequest commit = request.body(OffsetCommitRequest.class);
        OffsetCommitRequestData data = commit.data();
        boolean useTopicIds = OffsetCommitResponse.useTopicIds(request.apiVersion());
        ClusterView view = views.current();
        OffsetCommitResponse.Builder response = OffsetCommitResponse.newBuilder(useTopicIds);
        List<OffsetCommitRequestTopic> known = new ArrayList<>();
        for (OffsetCommitRequestTopic topic : data.topics()) {
            Optional<TopicView> found = useTopicIds ? view.topic(topic.topicId()) : view.topic(topic.name());
            if (found.isEmpty()) {
                response.addPartitions(useTopicIds ? topic.topicId() : Uuid.ZERO_UUID, topic.name(), topic.partitions(),
                    OffsetCommitRequestPartition::partitionIndex,
                    useTopicIds ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            TopicView existing = found.get();
            OffsetCommitRequestTopic valid = new OffsetCommitRequestTopic().setName(existing.name())
                .setTopicId(existing.id());
            for (OffsetCommitRequestPartition partition : topic.partitions()) {
                if (partition.partitionIndex() >= 0 && partition.partitionIndex() < existing.partitions().size()) {
                    valid.partitions().add(partition);
                } else {
                    response.addPartition(existing.id(), existing.name(), partition.partitionIndex(),
                        Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
            if (!valid.partitions().isEmpty()) {
                known.add(valid);
            }
        }
        if (known.isEmpty()) {
            return CompletableFuture.completedFuture(response.build());
        }
        OffsetCommitRequestData forCoordinator = new OffsetCommitRequestData()
            .setGroupId(data.groupId())
            .setMemberId(data.memberId())
            .setGenerationIdOrMemberEpoch(data.generationIdOrMemberEpoch())
            .setRetentionTimeMs(data.retentionTimeMs())
            .setGroupInstanceId(data.groupInstanceId())
            .setTopics(known);
        return GroupResponses.answer(request,
            coordinator.commitOffsets(request.context(), forCoordinator, BufferSupplier.NO_CACHING),
            results -> response.merge(results).build());
    }
}
