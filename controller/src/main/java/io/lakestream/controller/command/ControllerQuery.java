package io.lakestream.controller.command;

import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamState;
import java.util.List;
import org.apache.kafka.common.Uuid;

/** A read of the controller's state; it is answered by one replica and never logged. */
public sealed interface ControllerQuery<R> {

    ValueCodec<R> resultCodec();

    /** Whether the controller may hold this query before answering (a long poll). */
    default boolean mayWait() {
        return false;
    }

    record DescribeStream(long streamId) implements ControllerQuery<StreamState> {
        @Override
        public ValueCodec<StreamState> resultCodec() {
            return ValueCodecs.STREAM_STATE;
        }
    }

    record OpenStreams(int nodeId) implements ControllerQuery<List<StreamState>> {
        @Override
        public ValueCodec<List<StreamState>> resultCodec() {
            return ValueCodecs.STREAM_STATES;
        }
    }

    /** {@code endOffset = -1} means to the end of the stream. */
    record GetObjects(long streamId, long startOffset, long endOffset, int limit)
        implements ControllerQuery<List<ObjectRange>> {
        @Override
        public ValueCodec<List<ObjectRange>> resultCodec() {
            return ValueCodecs.OBJECT_RANGES;
        }
    }

    record GetStreamSetObjects(int nodeId) implements ControllerQuery<List<ObjectMetadata>> {
        @Override
        public ValueCodec<List<ObjectMetadata>> resultCodec() {
            return ValueCodecs.OBJECT_METADATAS;
        }
    }

    record GetStreamObjects(long streamId) implements ControllerQuery<List<ObjectMetadata>> {
        @Override
        public ValueCodec<List<ObjectMetadata>> resultCodec() {
            return ValueCodecs.OBJECT_METADATAS;
        }
    }

    /** Garbage whose grace period has passed by the clock of the replica that answers. */
    record GetObjectsToDestroy() implements ControllerQuery<List<Long>> {
        @Override
        public ValueCodec<List<Long>> resultCodec() {
            return ValueCodecs.LONGS;
        }
    }

    record DescribeCluster() implements ControllerQuery<ClusterDescription> {
        @Override
        public ValueCodec<ClusterDescription> resultCodec() {
            return ClusterDescription.CODEC;
        }
    }

    /** Every registered broker, in node id order. */
    record DescribeBrokers() implements ControllerQuery<List<BrokerRegistration>> {
        @Override
        public ValueCodec<List<BrokerRegistration>> resultCodec() {
            return ClusterCodecs.BROKER_REGISTRATIONS;
        }
    }

    /**
     * The topics named in {@code names} or {@code topicIds} that exist (the caller tells the
     * missing ones by their absence), or every topic in name order when both are empty.
     */
    record DescribeTopics(List<String> names, List<Uuid> topicIds) implements ControllerQuery<List<TopicDescription>> {
        public DescribeTopics {
            names = List.copyOf(names);
            topicIds = List.copyOf(topicIds);
        }

        public static DescribeTopics all() {
            return new DescribeTopics(List.of(), List.of());
        }

        @Override
        public ValueCodec<List<TopicDescription>> resultCodec() {
            return ClusterCodecs.TOPIC_DESCRIPTIONS;
        }
    }

    /** The value of a key, or null. */
    record GetKv(String key) implements ControllerQuery<byte[]> {
        @Override
        public ValueCodec<byte[]> resultCodec() {
            return ClusterCodecs.NULLABLE_BYTES;
        }
    }

    /**
     * Up to {@code maxRecords} cluster deltas after metadata offset {@code afterOffset}, or a
     * snapshot of everything if deltas after it were already trimmed or the offset is ahead of
     * the state; {@code afterOffset = -1} always gets the snapshot.
     *
     * <p>A long poll when {@code maxWaitMillis} is positive: with nothing after the offset, a
     * Raft controller answers when a delta is applied or the wait ends, whichever is first.
     * Other answerers (a state read in place) answer at once. Keep the wait well under the
     * client's request timeout: Ratis' is 3 seconds.
     */
    record GetClusterDeltas(long afterOffset, int maxRecords, int maxWaitMillis)
        implements ControllerQuery<ClusterDeltas> {
        public GetClusterDeltas {
            if (maxWaitMillis < 0) {
                throw new IllegalArgumentException("maxWaitMillis must not be negative, was " + maxWaitMillis);
            }
        }

        /** Answered at once. */
        public GetClusterDeltas(long afterOffset, int maxRecords) {
            this(afterOffset, maxRecords, 0);
        }

        @Override
        public boolean mayWait() {
            return maxWaitMillis > 0;
        }

        @Override
        public ValueCodec<ClusterDeltas> resultCodec() {
            return ClusterCodecs.CLUSTER_DELTAS;
        }
    }
}
