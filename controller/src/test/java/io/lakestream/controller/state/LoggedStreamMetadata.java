package io.lakestream.controller.state;

import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.QueryCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * {@link StreamMetadata} over a {@link MetadataState} without Raft: every call goes through
 * the bytes a Raft log entry and its reply carry (encode, stamp, decode, apply, reply), and
 * the stamped entries are kept so a test can replay them elsewhere. Synchronized.
 */
final class LoggedStreamMetadata implements StreamMetadata {
    private final MetadataState state;
    private final LongSupplier clock;
    private final List<byte[]> log = new ArrayList<>();

    LoggedStreamMetadata(MetadataState state, LongSupplier clock) {
        this.state = state;
        this.clock = clock;
    }

    /** The stamped entries applied so far, in order. */
    synchronized List<byte[]> log() {
        return List.copyOf(log);
    }

    /** Applies one stamped log entry at the next offset, as a replica would, and returns the reply. */
    static byte[] applyEntry(MetadataState state, byte[] entry) {
        CommandCodec.StampedCommand decoded = CommandCodec.decode(entry);
        return applyTyped(state, decoded.command(), decoded.timestampMillis());
    }

    private static <R> byte[] applyTyped(MetadataState state, ControllerCommand<R> command, long timestamp) {
        return state.apply(1, state.appliedOffset() + 1, timestamp, command).toReply(command.resultCodec());
    }

    synchronized <R> CompletableFuture<R> execute(ControllerCommand<R> command) {
        byte[] entry = CommandCodec.stamp(CommandCodec.encode(command), clock.getAsLong());
        log.add(entry);
        return complete(applyEntry(state, entry), command.resultCodec());
    }

    synchronized <R> CompletableFuture<R> read(ControllerQuery<R> query) {
        @SuppressWarnings("unchecked")
        ControllerQuery<R> decoded = (ControllerQuery<R>) QueryCodec.decode(QueryCodec.encode(query));
        return complete(state.query(decoded, clock.getAsLong()).toReply(query.resultCodec()), query.resultCodec());
    }

    private static <R> CompletableFuture<R> complete(byte[] reply, ValueCodec<R> codec) {
        try {
            return CompletableFuture.completedFuture(ReplyCodec.decode(reply, codec));
        } catch (StreamMetadataException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Long> createStream() {
        return execute(new ControllerCommand.CreateStream());
    }

    @Override
    public CompletableFuture<StreamState> openStream(long streamId, int nodeId) {
        return execute(new ControllerCommand.OpenStream(streamId, nodeId));
    }

    @Override
    public CompletableFuture<Void> closeStream(long streamId, long epoch) {
        return execute(new ControllerCommand.CloseStream(streamId, epoch));
    }

    @Override
    public CompletableFuture<Void> trimStream(long streamId, long epoch, long newStartOffset) {
        return execute(new ControllerCommand.TrimStream(streamId, epoch, newStartOffset));
    }

    @Override
    public CompletableFuture<Void> deleteStream(long streamId, long epoch) {
        return execute(new ControllerCommand.DeleteStream(streamId, epoch));
    }

    @Override
    public CompletableFuture<StreamState> describeStream(long streamId) {
        return read(new ControllerQuery.DescribeStream(streamId));
    }

    @Override
    public CompletableFuture<List<StreamState>> openStreams(int nodeId) {
        return read(new ControllerQuery.OpenStreams(nodeId));
    }

    @Override
    public CompletableFuture<Long> prepareObjects(int count, long ttlMillis) {
        return execute(new ControllerCommand.PrepareObjects(count, ttlMillis));
    }

    @Override
    public CompletableFuture<Void> commitStreamSetObject(CommitStreamSetObjectRequest request) {
        return execute(new ControllerCommand.CommitStreamSetObject(request));
    }

    @Override
    public CompletableFuture<Void> commitStreamObject(CommitStreamObjectRequest request) {
        return execute(new ControllerCommand.CommitStreamObject(request));
    }

    @Override
    public CompletableFuture<List<ObjectRange>> getObjects(long streamId, long startOffset, long endOffset,
                                                           int limit) {
        return read(new ControllerQuery.GetObjects(streamId, startOffset, endOffset, limit));
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamSetObjects(int nodeId) {
        return read(new ControllerQuery.GetStreamSetObjects(nodeId));
    }

    @Override
    public CompletableFuture<List<ObjectMetadata>> getStreamObjects(long streamId) {
        return read(new ControllerQuery.GetStreamObjects(streamId));
    }

    @Override
    public CompletableFuture<List<Long>> getObjectsToDestroy() {
        return read(new ControllerQuery.GetObjectsToDestroy());
    }

    @Override
    public CompletableFuture<Void> markObjectsDestroyed(List<Long> objectIds) {
        return execute(new ControllerCommand.MarkObjectsDestroyed(objectIds));
    }
}
