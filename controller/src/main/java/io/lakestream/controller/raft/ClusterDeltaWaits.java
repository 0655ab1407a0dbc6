package io.lakestream.controller.raft;

import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.command.ControllerQuery.GetClusterDeltas;
import io.lakestream.controller.state.CommandResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.utils.internals.ThreadUtils;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Long polls for cluster deltas, as Kafka's brokers long-poll the metadata log: a
 * {@link GetClusterDeltas} query with a wait that finds nothing after its offset is answered
 * when an applied entry adds a delta there, or when its wait ends. A broker's image follower
 * so learns of a change at once, and asks about twice a second while nothing changes (it
 * polled ten times a second before).
 *
 * <p>Threads: {@link #poll} from Ratis' RPC threads, {@link #onApplied} from its applier
 * thread. Waiting queries are answered on this class's own thread, so that neither the
 * applier nor a timer sends replies.
 */
final class ClusterDeltaWaits implements AutoCloseable {
    private static final ClusterDeltas NOTHING_NEW = new ClusterDeltas(null, List.of());

    /** Answers a query from the current state; takes the state's lock. */
    private final Function<GetClusterDeltas, CommandResult<ClusterDeltas>> answerer;
    private final ScheduledExecutorService answers =
        Executors.newSingleThreadScheduledExecutor(ThreadUtils.createThreadFactory("controller-delta-waits", true));
    /** Guarded by itself. */
    private final List<Wait> waits = new ArrayList<>();
    /** Guarded by {@code waits}. */
    private boolean closed;

    ClusterDeltaWaits(Function<GetClusterDeltas, CommandResult<ClusterDeltas>> answerer) {
        this.answerer = answerer;
    }

    private record Wait(GetClusterDeltas query, CompletableFuture<Message> reply) {}

    /** The answer to {@code query}: now if there is news, a refusal or no wait, else when there is or the wait ends. */
    CompletableFuture<Message> poll(GetClusterDeltas query) {
        // Under the lock, so that an entry applied after this answer wakes the wait added below.
        synchronized (waits) {
            CommandResult<ClusterDeltas> now = answerer.apply(query);
            if (closed || query.maxWaitMillis() == 0 || now.isRefused() || hasNews(now.value())) {
                return CompletableFuture.completedFuture(reply(now));
            }
            Wait wait = new Wait(query, new CompletableFuture<>());
            waits.add(wait);
            answers.schedule(() -> answer(wait), query.maxWaitMillis(), TimeUnit.MILLISECONDS);
            return wait.reply();
        }
    }

    /**
     * Wakes the waits that an entry just applied has news for; called after each entry, without
     * the state's lock (the lock order is this class's, then the state's). The state is asked
     * once per offset waited after: brokers that keep up all wait after the same one.
     */
    void onApplied() {
        synchronized (waits) {
            Map<Long, Boolean> newsAfter = new HashMap<>();
            for (Wait wait : waits) {
                boolean news;
                try {
                    news = newsAfter.computeIfAbsent(wait.query().afterOffset(), this::hasNewsAfter);
                } catch (RuntimeException e) {
                    return; // the state is being replaced or closed: the waits end with their timeouts
                }
                if (news) {
                    answers.execute(() -> answer(wait));
                }
            }
        }
    }

    /** Whether a poll after {@code offset} would be answered with something now, a refusal included. */
    private boolean hasNewsAfter(long offset) {
        CommandResult<ClusterDeltas> now = answerer.apply(new GetClusterDeltas(offset, 1));
        return now.isRefused() || hasNews(now.value());
    }

    /** Answers a wait once, with what the state holds now. */
    private void answer(Wait wait) {
        synchronized (waits) {
            if (!waits.remove(wait)) {
                return;
            }
        }
        try {
            wait.reply().complete(reply(answerer.apply(wait.query())));
        } catch (RuntimeException e) {
            wait.reply().completeExceptionally(e);
        }
    }

    private static boolean hasNews(ClusterDeltas deltas) {
        return deltas.snapshot() != null || !deltas.deltas().isEmpty();
    }

    private static Message reply(CommandResult<ClusterDeltas> result) {
        return Message.valueOf(ByteString.copyFrom(result.toReply(ClusterCodecs.CLUSTER_DELTAS)));
    }

    /** Answers every wait with nothing new (the state is closing); later polls are answered at once. */
    @Override
    public void close() {
        List<Wait> left;
        synchronized (waits) {
            closed = true;
            left = new ArrayList<>(waits);
            waits.clear();
        }
        answers.shutdownNow();
        left.forEach(wait -> wait.reply().complete(reply(CommandResult.success(NOTHING_NEW))));
    }
}
