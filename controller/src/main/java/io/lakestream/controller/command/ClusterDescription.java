package io.lakestream.controller.command;

import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.ValueCodec;

/**
 * The cluster id and the metadata offset: the Raft log index of the last command applied.
 * Layout: string clusterId (int32 length + UTF-8), int64 metadataOffset.
 */
public record ClusterDescription(String clusterId, long metadataOffset) {
    public static final ValueCodec<ClusterDescription> CODEC = new ValueCodec<>() {
        @Override
        public void write(ByteWriter writer, ClusterDescription value) {
            writer.writeString(value.clusterId()).writeLong(value.metadataOffset());
        }

        @Override
        public ClusterDescription read(ByteReader reader) {
            return new ClusterDescription(reader.readString(), reader.readLong());
        }
    };
}
