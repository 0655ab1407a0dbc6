package io.lakestream.broker.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.requests.TransactionResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the writer of broker 1 hands markers of partitions led by other brokers to its sender: a
 * transaction's partitions on one broker in one send, the failed ones of an answer retried
 * together at the leaders found then, and errors taken per partition. The sender is a fake that
 * records each send and lets the test answer it.
 */
class TransactionMarkerWriterTest {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Map<Integer, Integer> leaders = new ConcurrentHashMap<>();
    private final BlockingQueue<Send> sends = new LinkedBlockingQueue<>();
    private final TransactionMarkerWriter writer = new TransactionMarkerWriter(null, null,
        new ClusterViewHolder(ordersView(), timer), timer, 1, new RecordingSender(), new SimpleMeterRegistry());

    @AfterEach
    void stop() {
        writer.close();
        timer.shutdownNow();
    }

    @Test
    void failedPartitionsOfAnAnswerRetryTogetherAtTheirNewLeader() throws Exception {
        IntStream.range(0, PARTITIONS).forEach(p -> leaders.put(p, 2));
        CompletableFuture<Void> written = writer.write(7, (short) 0, 3, TransactionResult.COMMIT,
            Set.of(tp(0), tp(1), tp(2)), () -> true);

        Send first = next();
        assertThat(first.leader()).as("leader sent to first").isEqualTo(2);
        assertThat(first.written()).as("partitions of the first send: all those broker 2 leads")
            .containsOnlyKeys(tp(0), tp(1), tp(2));
        leaders.put(1, 3);
        leaders.put(2, 3);
        first.written().get(tp(0)).complete(null);
        first.written().get(tp(1)).completeExceptionally(new NotLeaderOrFollowerException("moved"));
        first.written().get(tp(2)).completeExceptionally(new NotLeaderOrFollowerException("moved"));

        Send retry = next();
        assertThat(retry.leader()).as("leader the retry went to").isEqualTo(3);
        assertThat(retry.written()).as("partitions of the retry").containsOnlyKeys(tp(1), tp(2));
        assertThat(written).as("markers written while two partitions retry").isNotDone();
        retry.written().values().forEach(f -> f.complete(null));

        assertThat(written).as("markers written").succeedsWithin(Duration.ofSeconds(10));
        assertThat(sends).as("sends after every partition took the marker").isEmpty();
    }

    @Test
    void fencedPartitionIsDroppedAndRetriesStopWhenTheCoordinatorMoves() throws Exception {
        leaders.put(0, 2);
        leaders.put(1, 2);
        AtomicBoolean coordinating = new AtomicBoolean(true);
        CompletableFuture<Void> written = writer.write(7, (short) 0, 3, TransactionResult.ABORT,
            Set.of(tp(0), tp(1)), coordinating::get);

        Send first = next();
        first.written().get(tp(0)).completeExceptionally(new TransactionCoordinatorFencedException("newer epoch"));
        first.written().get(tp(1)).completeExceptionally(new NotLeaderOrFollowerException("moving"));
        Send retry = next();
        assertThat(retry.written()).as("partitions retried: not the fenced one").containsOnlyKeys(tp(1));
        coordinating.set(false);
        retry.written().get(tp(1)).completeExceptionally(new NotLeaderOrFollowerException("moving"));

        assertThat(written).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
            .withCauseInstanceOf(NotCoordinatorException.class);
        assertThat(sends).as("sends after this broker stopped coordinating").isEmpty();
    }

    private Send next() throws InterruptedException {
        Send send = sends.poll(10, TimeUnit.SECONDS);
        assertThat(send).as("a send to the sender within 10 s").isNotNull();
        return send;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    /** One call of the sender, with the futures the test completes as the leader's answer. */
    private record Send(int leader, TransactionMarkerQueue.Marker marker,
                       Map<TopicPartition, CompletableFuture<Void>> written) {}

    private final class RecordingSender implements TransactionMarkerSender {
        @Override
        public Map<TopicPartition, CompletableFuture<Void>> send(ClusterView.BrokerEndpoint leader,
                                                                 TransactionMarkerQueue.Marker marker,
                                                                 Collection<TopicPartition> partitions) {
            Map<TopicPartition, CompletableFuture<Void>> written = new LinkedHashMap<>();
            partitions.forEach(tp -> written.put(tp, new CompletableFuture<>()));
            sends.add(new Send(leader.nodeId(), marker, written));
            return written;
        }

        @Override
        public void close() {
        }
    }

    /** Brokers 1 (this one), 2 and 3, and one topic whose leaders the test moves. */
    private ClusterView ordersView() {
        return new SuppliedClusterView(
            () -> IntStream.rangeClosed(1, 3).mapToObj(id -> new ClusterView.BrokerEndpoint(id, "127.0.0.1", 9090 + id,
                null)).toList(),
            () -> List.of(new ClusterView.TopicView(TOPIC, Uuid.ONE_UUID, IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new ClusterView.PartitionView(p, p, leaders.getOrDefault(p, 1), 1)).toList(), Map.of())));
    }
}
