package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;

/** A cluster view for unit tests: the live brokers and topics its suppliers give when asked. */
final class SuppliedClusterView implements ClusterView {
    private final Supplier<List<BrokerEndpoint>> brokers;
    private final Supplier<List<TopicView>> topics;

    SuppliedClusterView(Supplier<List<BrokerEndpoint>> brokers, Supplier<List<TopicView>> topics) {
        this.brokers = brokers;
        this.topics = topics;
    }

    @Override
    public String clusterId() {
        return "test";
    }

    @Override
    public long offset() {
        return 0;
    }

    @Override
    public List<BrokerEndpoint> liveBrokers() {
        return brokers.get();
    }

    @Override
    public Collection<TopicView> topics() {
        return topics.get();
    }

    @Override
    public Optional<TopicView> topic(String name) {
        return topics.get().stream().filter(topic -> topic.name().equals(name)).findFirst();
    }

    @Override
    public Optional<TopicView> topic(Uuid id) {
        return topics.get().stream().filter(topic -> topic.id().equals(id)).findFirst();
    }
}
