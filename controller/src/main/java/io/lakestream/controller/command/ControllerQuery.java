package io.lakestream.controller.command;

import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamState;
import java.util.List;

/** A read of the controller's state; it is answered by one replica and never logged. */
public sealed interface ControllerQuery<R> {

    ValueCodec<R> resultCodec();

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
}
