package io.lakestream.broker.handler.group;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * OffsetDelete: deletes a group's committed offsets of partitions it no longer subscribes to.
 * Unknown topics and partitions are answered here, the rest by the coordinator, as Kafka does.
 */
public final class OffsetDeleteHandler implements RequestHandler {
    private final GroupCoordinator coordinator;
    private final ClusterViewHolder views;

    public OffsetDeleteHandler(GroupCoordinator coordinator, ClusterViewHolder views) {
        this.coordinator = coordinator;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        OffsetDeleteRequest delete = request.body(OffsetDeleteRequest.class);
        ClusterView view = views.current();
        OffsetDeleteResponse.Builder response = new OffsetDeleteResponse.Builder();
        OffsetDeleteRequestTopicCollection known = new OffsetDeleteRequestTopicCollection();
        for (OffsetDeleteRequestTopic topic : delete.data().topics()) {
            Optional<TopicView> found = view.topic(topic.name());
            if (found.isEmpty()) {
                response.addPartitions(topic.name(), topic.partitions(), OffsetDeleteRequestPartition::partitionIndex,
                    Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            OffsetDeleteRequestTopic valid = new OffsetDeleteRequestTopic().setName(topic.name());
            for (OffsetDeleteRequestPartition partition : topic.partitions()) {
                if (partition.partitionIndex() >= 0 && partition.partitionIndex() < found.get().partitions().size()) {
                    valid.partitions().add(partition);
                } else {
                    response.addPartition(topic.name(), partition.partitionIndex(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
            if (!valid.partitions().isEmpty()) {
                known.add(valid);
            }
        }
        OffsetDeleteRequestData forCoordinator = new OffsetDeleteRequestData().setGroupId(delete.data().groupId())
            .setTopics(known);
        return GroupResponses.answer(request,
            coordinator.deleteOffsets(request.context(), forCoordinator, BufferSupplier.NO_CACHING),
            results -> response.merge(results).build());
    }
}
