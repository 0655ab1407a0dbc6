package io.lakestream.controller.client;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.QueryCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.controller.raft.ControllerQuorum;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * A broker's connection to the controller quorum over Ratis. Finds the leader, retries with
 * {@link ControllerRetry}'s backoff across leader changes, and keeps its client id for its
 * lifetime so that a retried command is applied once. Queries the controller may hold (long
 * polls) go through a second Ratis client of their own. Thread-safe.
 *
 * <p>Commands go through a {@link CommandBatcher}: while {@value #MAX_REQUESTS_IN_FLIGHT}
 * requests are outstanding, further commands wait and then go out together in one log entry.
 *
 * <p>Meters: {@code lakestream.controller.command.latency} and
 * {@code lakestream.controller.query.latency}, timers from the call to its reply (retries
 * included), tagged {@code command} or {@code query} (the record's name) and {@code outcome}
 * ({@code success}, {@code refused} by the state, or {@code failed});
 * {@code lakestream.controller.command.batch.size}, the commands per request sent.
 *
 * <p>Callers' futures complete on the client's callback threads, never on a Ratis thread: Ratis
 * completes its replies while holding its sliding-window lock, so a caller's continuation that
 * took a lock of its own could deadlock with a thread that held that lock and was sending.
 */
public final class ControllerClient implements ControllerChannel, AutoCloseable {
    /**
     * One request in flight at a time, the rest batched behind it: measured with ControllerCommitRate
     * (docs/benchmarks.md), two or four in flight made smaller batches, more CPU per commit and a
     * higher p99 on a 2-core machine.
     */
    static final int MAX_REQUESTS_IN_FLIGHT = 1;
    /** Well under gRPC's message limit; a batch this large is already thousands of commands. */
    static final int MAX_BATCH_BYTES = 1 << 20;

    /**
     * Ratis's client retries a read on a lost or changed leader but hands back a read-index
     * refusal from a voter that knows no leader yet, as every voter does during an election
     * (a node's first seconds included). Reads have no side effect, so they are retried here
     * for as long as an election can take.
     */
    private static final RetryPolicy<RaftClientReply> LEADER_UNKNOWN_RETRY = RetryPolicy.<RaftClientReply>builder()
        .handleIf(error -> isLeaderUnknown(unwrap(error)))
        .handleResultIf(reply -> !reply.isSuccess() && isLeaderUnknown(reply.getException()))
        .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .withMaxDuration(Duration.ofSeconds(30))
        .withMaxRetries(-1)
        .build();

    private final RaftClient raftClient;
    /**
     * For the queries the controller may hold (long polls): Ratis answers one client's requests
     * in order, so a held query would hold up every later command and query of the other.
     */
    private final RaftClient waitingQueries;
    /** Cached, not bounded: a continuation may block on another controller call, which needs a free thread. */
    private final ExecutorService callbacks =
        Executors.newCachedThreadPool(ThreadUtils.createThreadFactory("controller-client-callback-%d", true));
    private final CommandBatcher batcher;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    /** A client with the default retry policy and its meters in Micrometer's global registry. */
    public ControllerClient(ControllerQuorum quorum) {
        this(quorum, ControllerRetry.defaultPolicy(), Metrics.globalRegistry);
    }

    public ControllerClient(ControllerQuorum quorum, org.apache.ratis.retry.RetryPolicy retryPolicy) {
        this(quorum, retryPolicy, Metrics.globalRegistry);
    }

    public ControllerClient(ControllerQuorum quorum, org.apache.ratis.retry.RetryPolicy retryPolicy,
                            MeterRegistry registry) {
        this.registry = registry;
        this.raftClient = newRaftClient(quorum, retryPolicy);
        this.waitingQueries = newRaftClient(quorum, retryPolicy);
        this.batcher = new CommandBatcher(this::send, MAX_REQUESTS_IN_FLIGHT, MAX_BATCH_BYTES,
            DistributionSummary.builder("lakestream.controller.command.batch.size")
                .description("Commands per request sent to the controller").register(registry));
    }

    private static RaftClient newRaftClient(ControllerQuorum quorum, org.apache.ratis.retry.RetryPolicy retryPolicy) {
        RaftProperties clientProperties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProperties, SupportedRpcType.NETTY); // the voters' transport
        return RaftClient.newBuilder()
            .setProperties(clientProperties)
            .setRaftGroup(quorum.raftGroup())
            .setClientId(ClientId.randomId())
            .setRetryPolicy(retryPolicy)
            .build();
    }

    @Override
    public <R> CompletableFuture<R> execute(ControllerCommand<R> command) {
        long start = System.nanoTime();
        return timed(batcher.submit(CommandCodec.encode(command))
            .thenApply(reply -> ReplyCodec.decode(reply, command.resultCodec())), "command", command, start);
    }

    @Override
    public <R> CompletableFuture<R> query(ControllerQuery<R> query) {
        Message message = Message.valueOf(ByteString.copyFrom(QueryCodec.encode(query)));
        long start = System.nanoTime();
        RaftClient sender = query.mayWait() ? waitingQueries : raftClient;
        CompletableFuture<RaftClientReply> reply = Failsafe.with(LEADER_UNKNOWN_RETRY)
            .getStageAsync(() -> sender.async().sendReadOnly(message));
        return timed(offRatisThread(reply)
            .thenApply(r -> ReplyCodec.decode(contentOf(r), query.resultCodec())), "query", query, start);
    }

    /** Sends a command or a batch of them; completes with the reply's content. */
    private CompletableFuture<byte[]> send(byte[] payload) {
        return offRatisThread(raftClient.async().send(Message.valueOf(ByteString.copyFrom(payload))))
            .thenApply(ControllerClient::contentOf);
    }

    /** A future completed like {@code reply}, on a callback thread. */
    private CompletableFuture<RaftClientReply> offRatisThread(CompletableFuture<RaftClientReply> reply) {
        CompletableFuture<RaftClientReply> handedOff = new CompletableFuture<>();
        reply.whenComplete((value, failure) -> {
            Runnable complete = () -> {
                if (failure != null) {
                    handedOff.completeExceptionally(failure);
                } else {
                    handedOff.complete(value);
                }
            };
            try {
                callbacks.execute(complete);
            } catch (RejectedExecutionException closed) {
                complete.run();
            }
        });
        return handedOff;
    }

    private <R> CompletableFuture<R> timed(CompletableFuture<R> call, String kind, Object request, long start) {
        return call.whenComplete((result, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            String outcome = cause == null ? "success" : cause instanceof StreamMetadataException ? "refused" : "failed";
            timer(kind, request.getClass().getSimpleName(), outcome)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
    }

    private Timer timer(String kind, String name, String outcome) {
        return timers.computeIfAbsent(kind + '/' + name + '/' + outcome, key ->
            Timer.builder("lakestream.controller." + kind + ".latency")
                .description("From a controller " + kind + " to its reply, retries included")
                .tag(kind, name).tag("outcome", outcome)
                .publishPercentiles(0.5, 0.99)
                .register(registry));
    }

    private static byte[] contentOf(RaftClientReply reply) {
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
        return reply.getMessage().getContent().toByteArray();
    }

    private static boolean isLeaderUnknown(Throwable error) {
        return error instanceof ReadIndexException || error instanceof LeaderNotReadyException;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    @Override
    public void close() {
        try (RaftClient commands = raftClient; RaftClient polls = waitingQueries) {
            // both closed, the second even if closing the first fails
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the controller client", e);
        } finally {
            callbacks.shutdown();
        }
    }
}
