package io.lakestream.broker.server;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.image.ClusterImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The request handlers' {@link ClusterView} of one controller {@link ClusterImage}: brokers
 * as clients reach them on this broker's listener name. Immutable, like the image.
 */
final class ImageClusterView implements ClusterView {
    private final String clusterId;
    private final String listenerName;
    private final ClusterImage image;

    ImageClusterView(String clusterId, String listenerName, ClusterImage image) {
        this.clusterId = clusterId;
        this.listenerName = listenerName;
        this.image = image;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public long offset() {
        return image.offset();
    }

    @Override
    public List<BrokerEndpoint> liveBrokers() {
        List<BrokerEndpoint> live = new ArrayList<>();
        for (BrokerRegistration broker : image.brokers()) {
            if (broker.fenced() || broker.listeners().isEmpty()) {
                continue;
            }
            BrokerListener listener = broker.listeners().stream()
                .filter(l -> l.name().equalsIgnoreCase(listenerName))
                .findFirst()
                .orElse(broker.listeners().get(0));
            live.add(new BrokerEndpoint(broker.nodeId(), listener.host(), listener.port(), broker.rack()));
        }
        return live;
    }

    @Override
    public Collection<TopicView> topics() {
        return image.topics().stream().map(ImageClusterView::view).toList();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return Optional.ofNullable(image.topic(name)).map(ImageClusterView::view);
    }

    @Override
    public Optional<TopicView> topic(Uuid id) {
        return Optional.ofNullable(image.topic(id)).map(ImageClusterView::view);
    }

    private static TopicView view(TopicDescription topic) {
        return new TopicView(topic.name(), topic.topicId(), topic.partitions().stream()
            .map(p -> new PartitionView(p.partition(), p.streamId(), p.leader(), p.leaderEpoch()))
            .toList(), topic.configs());
    }
}
