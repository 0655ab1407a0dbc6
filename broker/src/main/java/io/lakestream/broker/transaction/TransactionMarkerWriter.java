package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.LeaderPartitions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
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
 * Each attempt looks the leader up again, so a partition that moved is followed.
 *
 * <p>It also serves WriteTxnMarkers ({@link #writeLocally}): other brokers coordinating a
 * transaction send it, and so does Kafka's Admin.abortTransaction (kafka-transactions.sh
 * abort) to end a hanging transaction.
 *
 * <p>Thread-safe; retries run on the timer, completions on the write-ahead log's threads or
 * the marker channel's thread.
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
    private final TransactionMarkerChannel channel;
    private final Timer latency;

    TransactionMarkerWriter(LeaderPartitions partitions, GroupCoordinator groups, ClusterViewHolder views,
                            ScheduledExecutorService timer, int nodeId, Time time, MeterRegistry registry) {
        this.partitions = partitions;
        this.groups = groups;
        this.views = views;
        this.timer = timer;
        this.nodeId = nodeId;
        this.channel = new TransactionMarkerChannel(nodeId, time);
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
        List<CompletableFuture<Void>> writes = targets.stream()
            .map(tp -> new MarkerWrite(tp, producerId, producerEpoch, coordinatorEpoch, result, stillCoordinator)
                .attempt(FIRST_BACKOFF_MILLIS))
            .toList();
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
            .whenComplete((ignored, error) -> latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    /**
     * One attempt at one partition's marker: here if this broker leads the partition (or no
     * other live broker is known to), else through WriteTxnMarkers to its leader.
     */
    private CompletableFuture<Void> writeOnce(TopicPartition tp, long producerId, short producerEpoch,
                                              int coordinatorEpoch, TransactionResult result) {
        Optional<ClusterView.BrokerEndpoint> leader = remoteLeader(views.current(), tp);
        return leader.isPresent()
            ? channel.send(leader.get(), tp, producerId, producerEpoch, coordinatorEpoch, result)
            : writeLocally(tp, producerId, producerEpoch, coordinatorEpoch, result);
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

    /** One partition's marker, retried until it is written. */
    private final class MarkerWrite {
        private final TopicPartition tp;
        private final long producerId;
        private final short producerEpoch;
        private final int coordinatorEpoch;
        private final TransactionResult result;
        private final BooleanSupplier stillCoordinator;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        MarkerWrite(TopicPartition tp, long producerId, short producerEpoch, int coordinatorEpoch,
                    TransactionResult result, BooleanSupplier stillCoordinator) {
            this.tp = tp;
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.coordinatorEpoch = coordinatorEpoch;
            this.result = result;
            this.stillCoordinator = stillCoordinator;
        }

        CompletableFuture<Void> attempt(long backoffMillis) {
            writeOnce(tp, producerId, producerEpoch, coordinatorEpoch, result).whenComplete((ignored, error) -> {
                if (error == null) {
                    done.complete(null);
                } else {
                    onFailure(Failures.cause(error), backoffMillis);
                }
            });
            return done;
        }

        private void onFailure(Throwable cause, long backoffMillis) {
            if (cause instanceof TransactionCoordinatorFencedException || cause instanceof InvalidProducerEpochException
                || cause instanceof ProducerFencedException) {
                // As Kafka: a newer coordinator or producer epoch has taken over this partition's transaction.
                LOG.info("Dropping the {} marker of producer {} on {}: {}", result, producerId, tp, cause.toString());
                done.complete(null);
            } else if (!exists(views.current(), tp)) {
                LOG.info("Dropping the {} marker of producer {} on {}: the partition no longer exists", result,
                    producerId, tp);
                done.complete(null);
            } else if (!stillCoordinator.getAsBoolean()) {
                done.completeExceptionally(new NotCoordinatorException("Stopped coordinating the transaction of "
                    + "producer " + producerId + " before its marker reached " + tp));
            } else {
                LOG.debug("Retrying the {} marker of producer {} on {}: {}", result, producerId, tp, cause.toString());
                timer.schedule(() -> attempt(Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS)), backoffMillis,
                    TimeUnit.MILLISECONDS);
            }
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
