package io.lakestream.controller.state;

import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.ClusterSnapshot;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.ControllerQuery.DescribeBrokers;
import io.lakestream.controller.command.ControllerQuery.DescribeTopics;
import io.lakestream.controller.command.ControllerQuery.GetClusterDeltas;
import io.lakestream.controller.command.ControllerQuery.GetKv;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/** The cluster reads, over one consistent view. One instance per query, one thread. */
final class ClusterQueries {
    private final StateReader reader;
    private final ClusterReads reads;

    ClusterQueries(StateReader reader) {
        this.reader = reader;
        this.reads = new ClusterReads(reader);
    }

    static boolean handles(ControllerQuery<?> query) {
        return query instanceof DescribeBrokers || query instanceof DescribeTopics || query instanceof GetKv
            || query instanceof GetClusterDeltas;
    }

    @SuppressWarnings("unchecked")
    <R> R answer(ControllerQuery<R> query) {
        Object result;
        if (query instanceof DescribeBrokers) {
            result = brokers();
        } else if (query instanceof DescribeTopics q) {
            result = topics(q.names(), q.topicIds());
        } else if (query instanceof GetKv q) {
            result = reader.get(Table.KV, Keys.utf8(q.key()));
        } else if (query instanceof GetClusterDeltas q) {
            result = deltas(q.afterOffset(), q.maxRecords());
        } else {
            throw new IllegalArgumentException("not a cluster query: " + query);
        }
        return (R) result;
    }

    List<BrokerRegistration> brokers() {
        return reads.brokers().stream().map(StoredBroker::registration).toList();
    }

    /** The named topics that exist, or all in name order when none is named; each once. */
    List<TopicDescription> topics(List<String> names, List<Uuid> ids) {
        Set<StoredTopic> found = new LinkedHashSet<>();
        if (names.isEmpty() && ids.isEmpty()) {
            reads.topicNames().forEach(name -> found.add(reads.findTopic(name)));
        }
        for (String name : names) {
            StoredTopic topic = reads.findTopic(name);
            if (topic != null) {
                found.add(topic);
            }
        }
        for (Uuid id : ids) {
            StoredTopic topic = reads.findTopic(id);
            if (topic != null) {
                found.add(topic);
            }
        }
        List<TopicDescription> result = new ArrayList<>();
        found.forEach(topic -> result.add(reads.describe(topic)));
        return result;
    }

    /**
     * The deltas after {@code afterOffset}; a snapshot when some were trimmed, or when the reader
     * is ahead of this state (it followed a controller whose state was since rebuilt or replaced).
     */
    ClusterDeltas deltas(long afterOffset, int maxRecords) {
        long applied = appliedOffset();
        if (!ClusterDeltaLog.retainsAfter(reader, afterOffset) || afterOffset > applied) {
            return new ClusterDeltas(new ClusterSnapshot(applied, brokers(), topics(List.of(), List.of())), List.of());
        }
        return new ClusterDeltas(null, ClusterDeltaLog.readAfter(reader, afterOffset, maxRecords));
    }

    /** The metadata offset of this view. */
    private long appliedOffset() {
        byte[] applied = reader.get(Table.META, MetaKeys.APPLIED);
        return applied == null ? 0 : ByteBuffer.wrap(applied).getLong(Long.BYTES);
    }
}
