package io.lakestream.controller.client;

import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamState;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * s3-stream's {@link StreamMetadata} served by the controller: each call is one command or
 * one query on a {@link ControllerChannel}. Thread-safe, as the channel is.
 */
public final class ControllerStreamMetadata implements StreamMetadata {
    private final ControllerChannel channel;

    public ControllerStreamMetadata(ControllerChannel channel) {
        this.channel = channel;
    }

    @Override
    public CompletableFuture<Long> createStream() {
        return channel.execute(new ControllerCommand.CreateStream());
    }

    @Override
    public CompletableFuture<StreamState> openStream(long streamId, int nodeId) {
        return channel.execute(new ControllerCommand.OpenStream(streamId, nodeId));
    }

    @Override
    public CompletableFuture<Void> closeStream(long streamId, long epoch) {
        return channel.execute(new ControllerCommand.CloseStream(streamId, epoch));
    }

    @Override
    public CompletableFuture<Void> trimStream(long streamId, long epoch, long newStartOffset) {
        return channel.execute(new ControllerCommand.TrimStream(streamId, epoch, newStartOffset));
    }

    @Override
    public CompletableFuture<Void> deleteStream(long streamId, long epoch) {
        return channel.execute(new ControllerCommand.DeleteStream(streamId, epoch));
    }

    @Override
    public CompletableFuture<StreamState> describeStream(long streamId) {
        return channel.query(new ControllerQuery.DescribeStream(streamId));
    }

    @Override
    public CompletableFuture<List<StreamState>> openStreams(int nodeId) {
        return channel.query(new ControllerQuery.OpenStreams(nodeId));
    }

    @Override
    public CompletableFuture<Long> prepareObjects(int count, long ttlMillis) {
        return channel.execute(new ControllerCommand.PrepareObjects(count, ttlMillis));
    }

    @Override
    public CompletableFuture<Void> commitStreamSetObject(CommitStreamSetObjectRequest request) {
        return channel.execute(new ControllerCommand.CommitStreamSetObject(request));
    }

    @Override
    public CompletableFuture<Void> commitStreamObject(CommitStreamObjectRequest request) {
        return channel.execute(new ControllerCommand.CommitStreamObject(request));
    }

    @Override
    public CompletableFuture<List<ObjectRange>> getObjects(long streamId, long startOffset, long endOffset,
                                                           int limit) {
        return channel.query(new ControllerQuery.GetObjects(streamId, startOffset, endOffset, limit));
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamSetObjects(int nodeId) {
        return channel.query(new ControllerQuery.GetStreamSetObjects(nodeId));
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamObjects(long streamId) {
        return channel.query(new ControllerQuery.GetStreamObjects(streamId));
    }

    @Override
    public CompletableFuture<List<Long>> getObjectsToDestroy() {
        return channel.query(new ControllerQuery.GetObjectsToDestroy());
    }

    @Override
    public CompletableFuture<Void> markObjectsDestroyed(List<Long> objectIds) {
        return channel.execute(new ControllerCommand.MarkObjectsDestroyed(objectIds));
    }
}
