package io.lakestream.broker.handler.group;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * OffsetFetch: the committed offsets of one group (v1-7) or several (v8+), of the partitions
 * named or of all of them. From v10 topics are named by id: ids are resolved to names for the
 * coordinator (an unknown id is UNKNOWN_TOPIC_ID) and names back to ids in the answer, where a
 * topic that no longer exists is left out, as Kafka's broker does.
 */
public final class OffsetFetchHandler implements RequestHandler {
    private final GroupCoordinator coordinator;
    private final ClusterViewHolder views;

    public OffsetFetchHandler(GroupCoordinator coordinator, ClusterViewHolder views) {
        this.coordinator = coordinator;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        OffsetFetchRequest fetch = request.body(OffsetFetchRequest.class);
        short version = request.apiVersion();
        boolean useTopicIds = OffsetFetchRequest.useTopicIds(version);
        ClusterView view = views.current();
        List<CompletableFuture<OffsetFetchResponseGroup>> groups = new ArrayList<>();
        for (OffsetFetchRequestGroup group : fetch.groups()) {
            CompletableFuture<OffsetFetchResponseGroup> answer = OffsetFetchRequest.requestAllOffsets(group)
                ? fetchAll(request, group, fetch.requireStable(), useTopicIds, view)
                : fetchSome(request, group, fetch.requireStable(), useTopicIds, view);
            groups.add(answer.exceptionally(error ->
                OffsetFetchResponse.groupError(group, Errors.forException(Failures.cause(error)), version)));
        }
        return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(ignored ->
            new OffsetFetchResponse.Builder(groups.stream().map(CompletableFuture::join).toList()).build(version));
    }

    private CompletableFuture<OffsetFetchResponseGroup> fetchAll(KafkaRequest request, OffsetFetchRequestGroup group,
                                                                 boolean requireStable, boolean useTopicIds,
                                                                 ClusterView view) {
        return coordinator.fetchOffsets(request.context(), group, requireStable).thenApply(answer -> {
            if (answer.errorCode() != Errors.NONE.code() || !useTopicIds) {
                return answer;
            }
            List<OffsetFetchResponseTopics> topics = new ArrayList<>();
            for (OffsetFetchResponseTopics topic : answer.topics()) {
                view.topic(topic.name()).ifPresent(existing -> topics.add(topic.setTopicId(existing.id())));
            }
            return answer.setTopics(topics);
        });
    }

    private CompletableFuture<OffsetFetchResponseGroup> fetchSome(KafkaRequest request, OffsetFetchRequestGroup group,
                                                                  boolean requireStable, boolean useTopicIds,
                                                                  ClusterView view) {
        List<OffsetFetchRequestTopics> known = new ArrayList<>();
        List<OffsetFetchResponseTopics> unknown = new ArrayList<>();
        for (OffsetFetchRequestTopics topic : group.topics()) {
            if (!useTopicIds) {
                known.add(topic);
                continue;
            }
            String name = view.topic(topic.topicId()).map(TopicView::name).orElse("");
            if (name.isEmpty()) {
                unknown.add(failedTopic(topic, Errors.UNKNOWN_TOPIC_ID));
            } else {
                known.add(topic.setName(name));
            }
        }
        OffsetFetchRequestGroup forCoordinator = new OffsetFetchRequestGroup()
            .setGroupId(group.groupId())
            .setMemberId(group.memberId())
            .setMemberEpoch(group.memberEpoch())
            .setTopics(known);
        return coordinator.fetchOffsets(request.context(), forCoordinator, requireStable).thenApply(answer -> {
            if (answer.errorCode() != Errors.NONE.code()) {
                return answer;
            }
            List<OffsetFetchResponseTopics> topics = new ArrayList<>(answer.topics());
            if (useTopicIds) {
                topics.stream().filter(topic -> topic.topicId() == null || topic.topicId().equals(Uuid.ZERO_UUID))
                    .forEach(topic -> view.topic(topic.name()).ifPresent(existing -> topic.setTopicId(existing.id())));
            }
            topics.addAll(unknown);
            return answer.setTopics(topics);
        });
    }

    private static OffsetFetchResponseTopics failedTopic(OffsetFetchRequestTopics topic, Errors error) {
        OffsetFetchResponseTopics failed = new OffsetFetchResponseTopics().setTopicId(topic.topicId())
            .setName(topic.name());
        for (int partition : topic.partitionIndexes()) {
            failed.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(partition)
                .setCommittedOffset(OffsetFetchResponse.INVALID_OFFSET).setErrorCode(error.code()));
        }
        return failed;
    }
}
