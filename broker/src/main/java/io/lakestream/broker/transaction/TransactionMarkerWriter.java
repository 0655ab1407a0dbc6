package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.LeaderPartitions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.coordinator.group.GroupCoordinator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the COMMIT or ABORT marker of a transaction to each of its partitions: what Kafka's
 * {@code TransactionMarkerChannelManager} sends as WriteTxnMarkers, and what Kafka's broker
 * then does with it. A data partition gets the marker through {@code PartitionLog.appendTxnMarker};
 * a partition of {@code __consumer_offsets} through the group coordinator's
 * {@code completeTransaction}, which writes the marker and applies or drops the transaction's
 * offsets. A partition that refuses is retried with backoff until it takes the marker, its
 * topic is deleted, or this broker stops coordinating the transaction.
 *
 * <p>A partition led by another broker gets the marker as Kafka's do: this broker sends that
 * broker WriteTxnMarkers ({@link TransactionMarkerChannel}), and it writes the marker locally.
 * All the partitions a transaction has on one broker share one marker entry, and the channel
 * sends all entries waiting for a broker in one request. Each attempt looks the leaders up
 * again, so a partition that moved is followed.
 *
 * <p>It also serves WriteTxnMarkers ({@link #writeLocally}): other brokers coordinating a
 * transaction send it, and so does Kafka's Admin.abortTransaction (kafka-transactions.sh
 * abort) to end a hanging transaction.
 *
 * <p>Thread-safe: {@link #write} and {@link #writeLocally} from any thread (the coordinator's,
 * the request handlers'). A transaction's first attempt runs on the caller's thread, retries on
 * the timer; the partitions' outcomes arrive on the write-ahead log's threads (led here) or on
 * the marker channel's {@code lakestream-txn-marker-sender} thread (led elsewhere), where
 * they are only recorded and retries scheduled, never waited for.
 */
public final class TransactionMarkerWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionMarkerWriter.class);
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final LeaderPartitions partitions;
    private final GroupCoordinator groups;
    private final ClusterViewHolder views;
    private final ScheduledExecutorService timer;
    private final int nodeId;
    private final TransactionMarkerSender channel;
    private final Timer latency;

    TransactionMarkerWriter(LeaderPartitions partitions, GroupCoordinator groups, ClusterViewHolder views,
                            ScheduledExecutorService timer, int nodeId, Time time, MeterRegistry registry) {
        this(partitions, groups, views, timer, nodeId, new TransactionMarkerChannel(nodeId, time, registry), registry);
    }

    TransactionMarkerWriter(LeaderPartitions partitions, GroupCoordinator groups, ClusterViewHolder views,
                            ScheduledExecutorService timer, int nodeId, TransactionMarkerSender channel,
                            MeterRegistry registry) {
        this.partitions = partitions;
        this.groups = groups;
        this.views = views;
        this.timer = timer;
        this.nodeId = nodeId;
        this.channel = channel;
        this.latency = Timer.builder("lakestream.broker.transactions.marker.write")
            .description("Time to write the commit or abort markers of one transaction to all its partitions")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    }

    /**
     * Writes the marker to every partition of {@code targets}; completes when all have it (or
     * are gone), fails with NOT_COORDINATOR when {@code stillCoordinator} turns false first.
     */
    CompletableFuture<Void> write(long producerId, short producerEpoch, int coordinatorEpoch, TransactionResult result,
                                  Set<TopicPartition> targets, BooleanSupplier stillCoordinator) {
        long start = System.nanoTime();
        return new MarkerWrite(new TransactionMarkerQueue.Marker(producerId, producerEpoch, coordinatorEpoch, result),
                targets, stillCoordinator).start()
            .whenComplete((ignored, error) -> latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /**
     * One attempt at one partition's marker on this broker, as Kafka's WriteTxnMarkers handler
     * makes it: the group coordinator's {@code completeTransaction} for {@code __consumer_offsets},
     * else the partition's own append. Completes when the marker is durable, or fails with why
     * not (NOT_LEADER_OR_FOLLOWER if the partition is not led here).
     */
    public CompletableFuture<Void> writeLocally(TopicPartition tp, long producerId, short producerEpoch,
                                                int coordinatorEpoch, TransactionResult result) {
        try {
            if (tp.topic().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                return groups.completeTransaction(tp, producerId, producerEpoch, coordinatorEpoch, result,
                    TransactionStateLog.LOG_VERSION.featureLevel());
            }
            return partitions.leaderLog(tp).appendTxnMarker(producerId, producerEpoch, coordinatorEpoch,
                result == TransactionResult.COMMIT ? ControlRecordType.COMMIT : ControlRecordType.ABORT)
                .thenApply(appended -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * One transaction's marker, retried per partition until each partition has it. An attempt
     * groups the partitions by leader as it finds them then: one write here for each partition
     * led here, one queued marker entry for all those led by another broker (so they share one
     * WriteTxnMarkers request); the partitions of an answer that failed retry together.
     */
    private final class MarkerWrite {
        private final TransactionMarkerQueue.Marker marker;
        private final Set<TopicPartition> targets;
        private final BooleanSupplier stillCoordinator;
        private final Map<TopicPartition, CompletableFuture<Void>> done;

        MarkerWrite(TransactionMarkerQueue.Marker marker, Set<TopicPartition> targets,
                    BooleanSupplier stillCoordinator) {
            this.marker = marker;
            this.targets = targets;
            this.stillCoordinator = stillCoordinator;
            this.done = targets.stream().collect(Collectors.toUnmodifiableMap(tp -> tp, tp -> new CompletableFuture<>()));
        }

        CompletableFuture<Void> start() {
            attempt(targets, FIRST_BACKOFF_MILLIS);
            return CompletableFuture.allOf(done.values().toArray(CompletableFuture[]::new));
        }

        /** Sends {@code partitions} to their leaders as found now. */
        private void attempt(Collection<TopicPartition> partitions, long backoffMillis) {
            ClusterView view = views.current();
            Map<ClusterView.BrokerEndpoint, List<TopicPartition>> remote = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Optional<ClusterView.BrokerEndpoint> leader = remoteLeader(view, tp);
                if (leader.isPresent()) {
                    remote.computeIfAbsent(leader.get(), broker -> new ArrayList<>()).add(tp);
                } else {
                    settle(Map.of(tp, writeLocally(tp, marker.producerId(), marker.producerEpoch(),
                        marker.coordinatorEpoch(), marker.result())), backoffMillis);
                }
            }
            remote.forEach((leader, led) -> settle(channel.send(leader, marker, led), backoffMillis));
        }

        /** Once all of {@code attempts} have ended, completes those written and retries the rest. */
        private void settle(Map<TopicPartition, CompletableFuture<Void>> attempts, long backoffMillis) {
            CompletableFuture.allOf(attempts.values().toArray(CompletableFuture[]::new)).whenComplete((ok, any) -> {
                List<TopicPartition> retry = new ArrayList<>();
                attempts.forEach((tp, attempt) -> {
                    Throwable error = attempt.handle((ignored, failure) -> failure).getNow(null);
                    if (error == null) {
                        done.get(tp).complete(null);
                    } else if (retries(tp, Failures.cause(error), backoffMillis == FIRST_BACKOFF_MILLIS)) {
                        retry.add(tp);
                    }
                });
                if (!retry.isEmpty()) {
                    timer.schedule(() -> attempt(retry, Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS)),
                        backoffMillis, TimeUnit.MILLISECONDS);
                }
            });
        }

        /**
         * What Kafka's {@code TransactionMarkerRequestCompletionHandler} does with a partition's
         * error: true to retry (re-resolving its leader), else the partition's outcome is final.
         * Kafka gives up with an IllegalStateException on errors it does not expect; here a
         * partition's append can fail on storage errors that clear, so those retry too, with a
         * warning on the {@code first} failure of the partition.
         */
        private boolean retries(TopicPartition tp, Throwable cause, boolean first) {
            long producerId = marker.producerId();
            if (cause instanceof TransactionCoordinatorFencedException || cause instanceof InvalidProducerEpochException
                || cause instanceof ProducerFencedException || cause instanceof UnsupportedForMessageFormatException
                || cause instanceof UnsupportedVersionException) {
                // As Kafka: a newer coordinator or producer epoch has taken over this partition's transaction,
                // or the partition cannot take a marker, so the producer could not have written to it either.
                LOG.info("Dropping the {} marker of producer {} on {}: {}", marker.result(), producerId, tp,
                    cause.toString());
                done.get(tp).complete(null);
            } else if (!exists(views.current(), tp)) {
                LOG.info("Dropping the {} marker of producer {} on {}: the partition no longer exists", marker.result(),
                    producerId, tp);
                done.get(tp).complete(null);
            } else if (!stillCoordinator.getAsBoolean()) {
                done.get(tp).completeExceptionally(new NotCoordinatorException("Stopped coordinating the transaction "
                    + "of producer " + producerId + " before its marker reached " + tp));
            } else if (cause instanceof RetriableException || !first) {
                LOG.debug("Retrying the {} marker of producer {} on {}: {}", marker.result(), producerId, tp,
                    cause.toString());
                return true;
            } else {
                LOG.warn("Retrying the {} marker of producer {} on {} after an unexpected error: {}", marker.result(),
                    producerId, tp, cause.toString());
                return true;
            }
            return false;
        }
    }

    /** The live broker other than this one that leads {@code tp}, if there is one. */
    private Optional<ClusterView.BrokerEndpoint> remoteLeader(ClusterView view, TopicPartition tp) {
        int leader = view.leaderOf(tp);
        if (leader < 0 || leader == nodeId) {
            return Optional.empty();
        }
        return view.liveBrokers().stream().filter(broker -> broker.nodeId() == leader).findFirst();
    }

    @Override
    public void close() {
        channel.close();
    }

    private static boolean exists(ClusterView view, TopicPartition tp) {
        return view.topic(tp.topic()).map(topic -> tp.partition() < topic.partitions().size()).orElse(false);
    }
}
