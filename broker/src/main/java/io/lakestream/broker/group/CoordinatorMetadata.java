package io.lakestream.broker.group;

import io.lakestream.broker.cluster.ClusterView;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metadata.FeatureLevelRecord;
import org.apache.kafka.common.metadata.PartitionRecord;
import org.apache.kafka.common.metadata.RemoveTopicRecord;
import org.apache.kafka.common.metadata.TopicRecord;
import org.apache.kafka.image.MetadataDelta;
import org.apache.kafka.image.MetadataImage;
import org.apache.kafka.image.MetadataProvenance;
import org.apache.kafka.image.TopicImage;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The topics of our cluster view as the KRaft metadata image that Kafka's group coordinator
 * reads: it resolves consumer group subscriptions against the topics' names, ids and partition
 * counts, and deletes the committed offsets of deleted topics. Only what it reads is kept:
 * topics and their partition counts, not leaders, which change far more often and would
 * only make it recompute subscriptions for nothing.
 *
 * <p>Called by one thread at a time (the thread that publishes cluster views).
 */
final class CoordinatorMetadata {
    private MetadataImage image = MetadataImage.EMPTY;

    /** The change from the previous image to {@code view}'s, or empty if the topics did not change. */
    Optional<Update> update(ClusterView view) {
        MetadataDelta delta = new MetadataDelta.Builder().setImage(image).build();
        boolean changed = false;
        if (image.isEmpty()) {
            delta.replay(new FeatureLevelRecord().setName(MetadataVersion.FEATURE_NAME)
                .setFeatureLevel(MetadataVersion.latestProduction().featureLevel()));
        }
        for (TopicImage topic : image.topics().topicsById().values()) {
            if (view.topic(topic.id()).isEmpty()) {
                delta.replay(new RemoveTopicRecord().setTopicId(topic.id()));
                changed = true;
            }
        }
        for (ClusterView.TopicView topic : view.topics()) {
            TopicImage known = image.topics().getTopic(topic.id());
            int from = 0;
            if (known == null) {
                delta.replay(new TopicRecord().setName(topic.name()).setTopicId(topic.id()));
            } else {
                from = known.partitions().size();
            }
            for (int partition = from; partition < topic.partitions().size(); partition++) {
                delta.replay(partitionRecord(topic.id(), partition));
                changed = true;
            }
        }
        if (!changed) {
            return Optional.empty();
        }
        image = delta.apply(new MetadataProvenance(view.offset(), 0, 0, true));
        return Optional.of(new Update(delta, image));
    }

    /** A delta and the image it leads to, as Kafka's metadata publishers hand them on. */
    record Update(MetadataDelta delta, MetadataImage image) {}

    /** A partition with no replica the coordinator could look up: so no rack, which is true here. */
    private static PartitionRecord partitionRecord(Uuid topicId, int partition) {
        return new PartitionRecord().setTopicId(topicId).setPartitionId(partition)
            .setReplicas(List.of()).setIsr(List.of()).setLeader(-1).setLeaderEpoch(0).setPartitionEpoch(0);
    }
}
