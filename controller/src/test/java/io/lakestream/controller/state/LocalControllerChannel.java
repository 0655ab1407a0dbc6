package io.lakestream.controller.state;

import io.lakestream.controller.client.ControllerChannel;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.QueryCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.stream.metadata.StreamMetadataException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A {@link ControllerChannel} that applies commands to a {@link MetadataState} in place,
 * without Raft, through the same bytes a log entry and its reply carry (encode, stamp,
 * decode, apply, reply). The stamped entries are kept so a test can replay them on another
 * state. Synchronized.
 */
public final class LocalControllerChannel implements ControllerChannel {
    private final MetadataState state;
    private final LongSupplier clock;
    private final List<byte[]> log = new ArrayList<>();

    public LocalControllerChannel(MetadataState state, LongSupplier clock) {
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

    @Override
    public synchronized <R> CompletableFuture<R> execute(ControllerCommand<R> command) {
        byte[] entry = CommandCodec.stamp(CommandCodec.encode(command), clock.getAsLong());
        log.add(entry);
        return complete(applyEntry(state, entry), command.resultCodec());
    }

    @Override
    public synchronized <R> CompletableFuture<R> query(ControllerQuery<R> query) {
        @SuppressWarnings("unchecked")
        ControllerQuery<R> decoded = (ControllerQuery<R>) QueryCodec.decode(QueryCodec.encode(query));
        return complete(state.query(decoded, clock.getAsLong()).toReply(query.resultCodec()), query.resultCodec());
    }

    private static <R> CompletableFuture<R> complete(byte[] reply, ValueCodec<R> codec) {
        try {
            return CompletableFuture.completedFuture(ReplyCodec.decode(reply, codec));
        } catch (StreamMetadataException | ClusterMetadataException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
