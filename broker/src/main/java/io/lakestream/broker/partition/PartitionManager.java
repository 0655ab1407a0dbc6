package io.lakestream.broker.partition;

import io.lakestream.broker.network.Failures;
import io.lakestream.stream.StreamStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.internals.ExponentialBackoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker leads: opens the stream of each partition the controller assigns
 * here (which fences the previous leader) and loads it as a {@link PartitionLog}; closes the
 * ones moved away or deleted, uploading their data first. Request handlers find open logs here.
 *
 * <p>Threads: {@link #update} is called by one thread at a time (the metadata image's
 * listener); lookups from any thread.
 */
public final class PartitionManager implements LeaderPartitions, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    private static final ExponentialBackoff OPEN_BACKOFF = new ExponentialBackoff(100, 2, 5_000, 0.2);
    /** The backoff step a reopen after a failure starts at: about 800 ms, for the metadata of a move to arrive. */
    private static final int REOPEN_AFTER_FAILURE_ATTEMPT = 3;
    /**
     * An open that has not completed by then is given up and tried again (a newer open fences
     * the old stream), so that no lost reply leaves a partition unopened for good.
     */
    private static final long OPEN_TIMEOUT_MILLIS = 60_000;

    private final StreamStore streams;
    private final PartitionLoader loader;
    private final Map<TopicPartition, PartitionLog> open = new ConcurrentHashMap<>();
    /** What was last assigned here, opened or still opening. */
    private final Map<TopicPartition, PartitionAssignment> assigned = new HashMap<>();
    private volatile TopicDirectory topics = TopicDirectory.EMPTY;
    /** Guarded by this object's lock, as {@code open}'s changes are: told of each one in order. */
    private final List<LeadershipListener> listeners = new ArrayList<>();

    public PartitionManager(StreamStore streams, PartitionLoader loader) {
        this.streams = streams;
        this.loader = loader;
    }

    /**
     * Tells {@code listener} of every partition that opens or closes from now on, and at once of
     * those open already, so that it misses none whenever it is added.
     */
    public synchronized void addLeadershipListener(LeadershipListener listener) {
        listeners.add(listener);
        open.values().forEach(listener::onLeading);
    }

    /** Called under this object's lock, as the log leaves {@code open}. */
    private void resigning(PartitionLog log) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.onResigning(log);
            } catch (RuntimeException e) {
                LOG.warn("A leadership listener failed on the close of {}: {}", log.topicPartition(), e.toString());
            }
        }
    }

    /** Called under this object's lock, as the log enters {@code open}. */
    private void leading(PartitionLog log) {
        for (LeadershipListener listener : listeners) {
            try {
                listener.onLeading(log);
            } catch (RuntimeException e) {
                LOG.warn("A leadership listener failed on the open of {}: {}", log.topicPartition(), e.toString());
            }
        }
    }

    /**
     * Brings the open partitions in line with the latest metadata: {@code ledHere} is every
     * partition assigned to this broker. Returns when the changes have started; opening a
     * partition completes in the background, and until then requests for it are answered
     * NOT_LEADER_OR_FOLLOWER, which clients retry. Streams are opened and closed after the
     * manager's lock is released: their futures complete on other threads that take it.
     */
    public void update(TopicDirectory directory, Collection<PartitionAssignment> ledHere) {
        List<PartitionLog> toClose = new ArrayList<>();
        List<PartitionLog> deleted = new ArrayList<>();
        List<PartitionAssignment> toOpen = new ArrayList<>();
        synchronized (this) {
            this.topics = directory;
            Map<TopicPartition, PartitionAssignment> target = new HashMap<>();
            ledHere.forEach(assignment -> target.put(assignment.topicPartition(), assignment));
            for (PartitionAssignment previous : List.copyOf(assigned.values())) {
                PartitionAssignment next = target.get(previous.topicPartition());
                if (next == null || !sameLeadership(previous, next)) {
                    assigned.remove(previous.topicPartition());
                    PartitionLog log = open.remove(previous.topicPartition());
                    if (log != null) {
                        resigning(log);
                        (isDeleted(previous, directory) ? deleted : toClose).add(log);
                    }
                } else if (!next.config().equals(previous.config())) {
                    assigned.put(next.topicPartition(), next);
                    PartitionLog log = open.get(next.topicPartition());
                    if (log != null) {
                        log.updateConfig(next.config());
                    }
                }
            }
            for (PartitionAssignment next : target.values()) {
                if (!assigned.containsKey(next.topicPartition())) {
                    assigned.put(next.topicPartition(), next);
                    toOpen.add(next);
                }
            }
        }
        toClose.forEach(PartitionManager::close);
        deleted.forEach(PartitionManager::closeDeleted);
        toOpen.forEach(assignment -> openPartition(assignment, 0));
    }

    /** Whether the partition's topic is gone, or is now another topic of the same name. */
    private static boolean isDeleted(PartitionAssignment assignment, TopicDirectory directory) {
        return !directory.topicId(assignment.topicPartition().topic()).equals(assignment.topicId())
            || directory.partitionCount(assignment.topicPartition().topic()) <= assignment.topicPartition().partition();
    }

    /** The same stream led in the same epoch; the config may differ. */
    private static boolean sameLeadership(PartitionAssignment a, PartitionAssignment b) {
        return a.streamId() == b.streamId() && a.leaderEpoch() == b.leaderEpoch();
    }

    /** The assignment of {@code opening}'s partition now, if it is still the same leadership. */
    private PartitionAssignment stillAssigned(PartitionAssignment opening) {
        PartitionAssignment current = assigned.get(opening.topicPartition());
        return current != null && sameLeadership(current, opening) ? current : null;
    }

    /**
     * Opens and loads the partition; a failure (the controller unreachable for a while, an object
     * that cannot be read yet) is retried with backoff for as long as the partition stays
     * assigned here, so it never stays unopened while clients are told to retry.
     */
    private void openPartition(PartitionAssignment assignment, int attempt) {
        TopicPartition topicPartition = assignment.topicPartition();
        CompletableFuture<PartitionLog> opening = streams.openStream(assignment.streamId())
            .thenCompose(stream -> loader.load(topicPartition, stream, assignment.leaderEpoch(), assignment.config()));
        opening.copy().orTimeout(OPEN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
            .whenComplete((log, error) -> {
                if (error instanceof TimeoutException) {
                    // Given up on: should it complete after all, its stream is closed, not served.
                    opening.thenAccept(PartitionManager::close);
                }
                if (error != null) {
                    retryOpen(assignment, attempt, error);
                    return;
                }
                synchronized (this) {
                    PartitionAssignment current = stillAssigned(assignment);
                    if (current != null) {
                        if (!current.config().equals(assignment.config())) {
                            log.updateConfig(current.config());
                        }
                        open.put(topicPartition, log);
                        leading(log);
                        log.whenFailed().thenAccept(failure -> onFailed(current, log, failure));
                        return;
                    }
                }
                // Reassigned while it was opening.
                close(log);
            });
    }

    /**
     * A partition whose stream failed (fenced by a newer opener, closed under it, or a storage
     * error) stops being served here: its requests get NOT_LEADER_OR_FOLLOWER, which clients
     * retry after refreshing metadata. If the partition is still assigned here after a backoff
     * long enough for the metadata of a move to arrive, it is opened again with a new stream
     * epoch; a partition that moved is left to its new leader.
     */
    private void onFailed(PartitionAssignment assignment, PartitionLog log, Throwable failure) {
        synchronized (this) {
            if (!open.remove(assignment.topicPartition(), log)) {
                return;
            }
            resigning(log);
        }
        close(log);
        retryOpen(assignment, REOPEN_AFTER_FAILURE_ATTEMPT, failure);
    }

    private void retryOpen(PartitionAssignment assignment, int attempt, Throwable error) {
        long delayMillis = OPEN_BACKOFF.backoff(attempt);
        LOG.warn("Cannot open {} (stream {}, leader epoch {}), retrying in {} ms: {}", assignment.topicPartition(),
            assignment.streamId(), assignment.leaderEpoch(), delayMillis, Failures.cause(error).toString());
        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
            PartitionAssignment current;
            synchronized (this) {
                current = stillAssigned(assignment);
            }
            if (current != null) {
                openPartition(current, attempt + 1);
            }
        });
    }

    /** Closes the partition of a deleted topic and deletes its persisted index, which nothing reads again. */
    private static void closeDeleted(PartitionLog log) {
        log.closeDeleted().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.info("Deleting {} left its index segments behind: {}", log.topicPartition(), error.toString());
            }
        });
    }

    private static void close(PartitionLog log) {
        log.close().whenComplete((ignored, error) -> {
            if (error != null) {
                LOG.info("Closing {} failed; its stream may have moved already: {}", log.topicPartition(),
                    error.toString());
            }
        });
    }

    @Override
    public PartitionLog leaderLog(TopicPartition topicPartition) {
        PartitionLog log = open.get(topicPartition);
        if (log != null) {
            return log;
        }
        int partitions = topics.partitionCount(topicPartition.topic());
        if (partitions < 0 || topicPartition.partition() < 0 || topicPartition.partition() >= partitions) {
            throw new UnknownTopicOrPartitionException("This server does not host this topic-partition: "
                + topicPartition);
        }
        throw new NotLeaderOrFollowerException("This broker does not lead " + topicPartition + " (yet)");
    }

    @Override
    public Collection<PartitionLog> openLogs() {
        return new ArrayList<>(open.values());
    }

    /** Whether every assigned partition is open: for tests and the startup log line. */
    public boolean allOpen() {
        return open.keySet().containsAll(assigned.keySet());
    }

    @Override
    public Map<Uuid, String> topicNames() {
        return topics.topicNames();
    }

    @Override
    public Uuid topicId(String topicName) {
        return topics.topicId(topicName);
    }

    /** Closes every partition, uploading its data; gives up waiting after 30 seconds. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        synchronized (this) {
            for (PartitionLog log : open.values()) {
                resigning(log);
                closes.add(log.close().exceptionally(error -> null));
            }
            open.clear();
            assigned.clear();
        }
        try {
            CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Not every partition closed cleanly; the write-ahead log keeps their data: {}", e.toString());
        }
    }
}
