package io.lakestream.controller.client;

import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.QueryCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.controller.raft.ControllerQuorum;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A broker's connection to the controller quorum over Ratis. Finds the leader, retries with
 * {@link ControllerRetry}'s backoff across leader changes, and keeps one client id for its
 * lifetime so that a retried command is applied once. Thread-safe.
 */
public final class ControllerClient implements ControllerChannel, AutoCloseable {
    private final RaftClient raftClient;

    public ControllerClient(ControllerQuorum quorum) {
        this(quorum, ControllerRetry.defaultPolicy());
    }

    public ControllerClient(ControllerQuorum quorum, RetryPolicy retryPolicy) {
        this.raftClient = RaftClient.newBuilder()
            .setProperties(new RaftProperties())
            .setRaftGroup(quorum.raftGroup())
            .setClientId(ClientId.randomId())
            .setRetryPolicy(retryPolicy)
            .build();
    }

    @Override
    public <R> CompletableFuture<R> execute(ControllerCommand<R> command) {
        Message message = Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command)));
        return raftClient.async().send(message).thenApply(reply -> decode(reply, command.resultCodec()));
    }

    @Override
    public <R> CompletableFuture<R> query(ControllerQuery<R> query) {
        Message message = Message.valueOf(ByteString.copyFrom(QueryCodec.encode(query)));
        return raftClient.async().sendReadOnly(message).thenApply(reply -> decode(reply, query.resultCodec()));
    }

    private static <R> R decode(RaftClientReply reply, ValueCodec<R> codec) {
        if (!reply.isSuccess()) {
            // Refusals are not here: they are successful replies whose bytes ReplyCodec turns back into the
            // exception the state refused with. Ratis fails the call itself only for a command the leader
            // could not decode, or one the state machine could not apply.
            StateMachineException refused = reply.getStateMachineException();
            if (refused != null) {
                throw new StreamMetadataException(MetadataError.INVALID_REQUEST, refused.getMessage());
            }
            throw new ControllerUnavailableException("controller call failed: " + reply.getException(),
                reply.getException());
        }
        return ReplyCodec.decode(reply.getMessage().getContent().toByteArray(), codec);
    }

    @Override
    public void close() {
        try {
            raftClient.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the controller client", e);
        }
    }
}
