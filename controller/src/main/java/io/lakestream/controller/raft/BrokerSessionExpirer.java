package io.lakestream.controller.raft;

import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.task.PeriodicTask;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires broker sessions on the leader: every tick it appends a
 * {@link ControllerCommand.FenceExpiredBrokers} command through its own Raft server, and the
 * command fences by the time the leader stamps on it, so every replica fences the same brokers
 * at the same log position.
 *
 * <p>Heartbeats are logged commands too. That costs one small entry per broker per heartbeat
 * interval, which is cheap at our scale, and keeps the session state in the replicated state,
 * where a new leader finds it; sessions held in leader memory would need their own hand-over.
 * A new leader still waits one session timeout before its first tick, because heartbeats could
 * not be appended during the election and would otherwise look expired.
 *
 * <p>Threads: {@link #tick} and the fields it keeps run on the expirer's own thread;
 * {@link #start} and {@link #close} from any thread.
 */
final class BrokerSessionExpirer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSessionExpirer.class);

    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftMetadataStateMachine stateMachine;
    private final long sessionTimeoutMillis;
    private final LongSupplier clockMillis;
    private final ClientId clientId = ClientId.randomId();
    private PeriodicTask ticker;
    private long callId;
    /** When this voter last became leader by its clock, or -1 while it is not leader. */
    private long leaderSinceMillis = -1;

    BrokerSessionExpirer(RaftServer server, RaftGroupId groupId, RaftMetadataStateMachine stateMachine,
                         long sessionTimeoutMillis, LongSupplier clockMillis) {
        this.server = server;
        this.groupId = groupId;
        this.stateMachine = stateMachine;
        this.sessionTimeoutMillis = sessionTimeoutMillis;
        this.clockMillis = clockMillis;
    }

    /** How often the leader checks: a tenth of the session, from 100 ms to 1 s. */
    static long tickMillis(long sessionTimeoutMillis) {
        return Math.max(100, Math.min(1_000, sessionTimeoutMillis / 10));
    }

    synchronized void start() {
        long tick = tickMillis(sessionTimeoutMillis);
        ticker = PeriodicTask.start("broker-session-expirer-" + server.getId(), tick, tick, this::tick);
    }

    private void tick() {
        try {
            if (!server.getDivision(groupId).getInfo().isLeaderReady()) {
                leaderSinceMillis = -1;
                return;
            }
            long now = clockMillis.getAsLong();
            if (leaderSinceMillis < 0) {
                leaderSinceMillis = now;
            }
            if (now - leaderSinceMillis < sessionTimeoutMillis || !anyBrokerUnfenced()) {
                return;
            }
            byte[] command = CommandCodec.encode(new ControllerCommand.FenceExpiredBrokers(sessionTimeoutMillis));
            RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(clientId).setServerId(server.getId()).setGroupId(groupId).setCallId(++callId)
                .setMessage(Message.valueOf(ByteString.copyFrom(command)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
            // Waits so ticks never pile up behind a slow log; a lost tick is made up by the next.
            server.submitClientRequestAsync(request).get(sessionTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            LOG.debug("{}: broker session tick failed", server.getId(), e);
        }
    }

    /** Only an unfenced broker can expire: without one, no tick is logged. */
    private boolean anyBrokerUnfenced() {
        return stateMachine.queryLocal(new ControllerQuery.DescribeBrokers()).stream()
            .anyMatch(b -> !b.fenced());
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.close();
        }
    }
}
