package io.lakestream.controller.image;

import io.lakestream.controller.client.ControllerChannel;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.task.PeriodicTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a broker's {@link ClusterImage} up to date: on its own thread, it asks the controller
 * for the cluster deltas after the image's offset (or a snapshot, when it fell further behind
 * than the controller retains), publishes the new image through a volatile field and then
 * tells the listeners, in order. Each ask is a long poll, as a Kafka broker's fetch of the
 * metadata log is: the controller answers when there is a delta, or after {@code maxWait}
 * with nothing, and the follower asks again {@code pollInterval} after each answer. A change
 * so reaches the image at once, and an idle cluster costs a query per {@code maxWait}.
 * {@link #image()} never makes a round trip.
 *
 * <p>Threads: {@link #image()} and {@link #addListener} from any thread; {@link #pollOnce()}
 * from the follower's thread, or from a test that never called {@link #start()}.
 */
public final class ClusterImageFollower implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(10);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(500);
    public static final int DEFAULT_MAX_DELTAS_PER_POLL = 1_000;
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ClusterImageFollower.class);

    private final ControllerChannel channel;
    private final Duration pollInterval;
    private final int maxDeltasPerPoll;
    private final int maxWaitMillis;
    private final List<ClusterImageListener> listeners = new CopyOnWriteArrayList<>();
    private volatile PeriodicTask poller;
    private volatile ClusterImage image = ClusterImage.EMPTY;

    public ClusterImageFollower(ControllerChannel channel) {
        this(channel, DEFAULT_POLL_INTERVAL, DEFAULT_MAX_DELTAS_PER_POLL, DEFAULT_MAX_WAIT);
    }

    /** A follower whose polls the controller answers at once. */
    public ClusterImageFollower(ControllerChannel channel, Duration pollInterval, int maxDeltasPerPoll) {
        this(channel, pollInterval, maxDeltasPerPoll, Duration.ZERO);
    }

    /**
     * @param pollInterval the pause after each answer
     * @param maxWait how long the controller may hold a poll that finds nothing new; zero for not at all
     */
    public ClusterImageFollower(ControllerChannel channel, Duration pollInterval, int maxDeltasPerPoll,
                                Duration maxWait) {
        if (pollInterval.isNegative() || pollInterval.isZero() || maxDeltasPerPoll <= 0) {
            throw new IllegalArgumentException("poll every " + pollInterval + " for up to " + maxDeltasPerPoll
                + " deltas: both must be positive");
        }
        if (maxWait.isNegative() || maxWait.compareTo(QUERY_TIMEOUT) >= 0) {
            throw new IllegalArgumentException("a poll may wait " + maxWait + ": it must be at least zero and under "
                + QUERY_TIMEOUT);
        }
        this.channel = channel;
        this.pollInterval = pollInterval;
        this.maxDeltasPerPoll = maxDeltasPerPoll;
        this.maxWaitMillis = (int) maxWait.toMillis();
    }

    /** Starts polling on the follower's thread; call once. */
    public synchronized void start() {
        if (poller != null) {
            throw new IllegalStateException("the follower is already started");
        }
        poller = PeriodicTask.start("cluster-image-follower", 0, pollInterval.toMillis(), this::catchUp);
    }

    /** The newest image; {@link ClusterImage#EMPTY} until the first poll answers. */
    public ClusterImage image() {
        return image;
    }

    public void addListener(ClusterImageListener listener) {
        listeners.add(listener);
    }

    /**
     * Asks once for what came after the current image, publishes the result if anything
     * changed, and returns how many deltas it applied (a snapshot counts as one).
     */
    public int pollOnce() throws ExecutionException, InterruptedException, TimeoutException {
        ClusterImage old = image;
        ClusterDeltas answer = channel
            .query(new ControllerQuery.GetClusterDeltas(old.offset(), maxDeltasPerPoll, maxWaitMillis))
            .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ClusterImage next = answer.snapshot() != null ? ClusterImage.of(answer.snapshot()) : old;
        next = next.applyAll(answer.deltas());
        if (next == old) {
            return 0;
        }
        image = next;
        for (ClusterImageListener listener : listeners) {
            try {
                listener.onImage(old, next);
            } catch (RuntimeException e) {
                LOG.warn("cluster image listener {} failed on the image at offset {}", listener, next.offset(), e);
            }
        }
        return answer.deltas().size() + (answer.snapshot() != null ? 1 : 0);
    }

    /** Polls until a poll returns less than a full batch, so a follower far behind catches up at once. */
    private void catchUp() {
        try {
            while (pollOnce() >= maxDeltasPerPoll) {
                // A full batch: more are waiting.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The controller may be electing a leader; the next interval tries again from the same image.
            LOG.debug("cluster image poll after offset {} failed", image.offset(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.close();
        }
    }
}
