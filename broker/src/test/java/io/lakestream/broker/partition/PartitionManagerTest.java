package io.lakestream.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PartitionManager} over a real stream store whose metadata refuses the first opens. */
class PartitionManagerTest {
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicPartition TP = new TopicPartition("events", 0);

    @TempDir
    Path dir;
    private final AtomicInteger openFailuresLeft = new AtomicInteger();
    private final AtomicInteger openCalls = new AtomicInteger();
    private LocalDirectoryObjectStorage storage;
    private StreamStore store;
    private PartitionManager partitions;
    private long streamId;

    @BeforeEach
    void start() throws Exception {
        storage = new LocalDirectoryObjectStorage(dir.resolve("objects"));
        store = new StreamStore(StreamStoreConfig.defaults(1),
            BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 64 << 20).build()), storage,
            failingOpens(new InMemoryStreamMetadata()), new SimpleMeterRegistry());
        store.start().join();
        streamId = store.createStream().join();
        partitions = new PartitionManager(store, new PartitionLoader(dir.resolve("producer-state"),
            new ProducerStateManagerConfig(86_400_000, false), 60_000, new IndexSegmentStore(storage), Time.SYSTEM,
            PartitionLogFixture.NO_METRICS));
    }

    @AfterEach
    void stop() throws Exception {
        partitions.close();
        store.close();
        storage.close();
    }

    /** The metadata, except that openStream fails while {@link #openFailuresLeft} is positive. */
    private StreamMetadata failingOpens(StreamMetadata real) {
        return (StreamMetadata) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {StreamMetadata.class},
            (proxy, method, args) -> {
                if (method.getName().equals("openStream")) {
                    openCalls.incrementAndGet();
                    if (openFailuresLeft.getAndDecrement() > 0) {
                        return CompletableFuture.failedFuture(new TimeoutException("controller unreachable"));
                    }
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }

    private static TopicDirectory oneTopic() {
        return new TopicDirectory() {
            @Override
            public Map<Uuid, String> topicNames() {
                return Map.of(TOPIC_ID, TP.topic());
            }

            @Override
            public Uuid topicId(String topicName) {
                return TP.topic().equals(topicName) ? TOPIC_ID : Uuid.ZERO_UUID;
            }

            @Override
            public int partitionCount(String topicName) {
                return TP.topic().equals(topicName) ? 1 : -1;
            }
        };
    }

    private PartitionAssignment assignment(int leaderEpoch) {
        return new PartitionAssignment(TOPIC_ID, TP, streamId, leaderEpoch, new LogConfig(Map.of()));
    }

    @Test
    void partitionWhoseOpenFailsIsRetriedUntilItOpens() {
        openFailuresLeft.set(2);

        partitions.update(oneTopic(), List.of(assignment(0)));

        assertThatThrownBy(() -> partitions.leaderLog(TP)).as("while the opens fail")
            .isInstanceOf(NotLeaderOrFollowerException.class);
        await().atMost(Duration.ofSeconds(10)).until(partitions::allOpen);
        assertThat(partitions.leaderLog(TP).leaderEpoch()).isZero();
        assertThat(openCalls).as("two failed opens and the one that worked").hasValue(3);
    }

    @Test
    void partitionUnassignedWhileItsOpenFailsIsNotRetried() throws Exception {
        openFailuresLeft.set(1);
        partitions.update(oneTopic(), List.of(assignment(0)));

        partitions.update(oneTopic(), List.of());
        // Absence of a retry can only be observed over time: 500 ms is several first backoffs (100 ms).
        Thread.sleep(500);

        assertThat(openCalls).as("no retry after the partition left").hasValue(1);
        assertThatThrownBy(() -> partitions.leaderLog(TP)).isInstanceOf(NotLeaderOrFollowerException.class);
        assertThatThrownBy(() -> partitions.leaderLog(new TopicPartition("events", 1)))
            .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void partitionMovedAwayKeepsItsIndexAndPartitionOfADeletedTopicDeletesIt() {
        partitions.update(oneTopic(), List.of(assignment(0)));
        await().atMost(Duration.ofSeconds(10)).until(partitions::allOpen);
        partitions.leaderLog(TP).appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();

        partitions.update(oneTopic(), List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> !indexSegments().isEmpty());
        partitions.update(oneTopic(), List.of(assignment(1)));
        await().atMost(Duration.ofSeconds(10)).until(partitions::allOpen);
        partitions.update(TopicDirectory.EMPTY, List.of());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(indexSegments()).as("the deleted partition's index segments").isEmpty());
    }

    private List<ObjectStorage.ObjectInfo> indexSegments() {
        return storage.list("partition-index/" + streamId + "/").join();
    }

    @Test
    void partitionWhoseStreamWasTakenAwayAnswersNotLeaderThenIsReopenedWhileStillAssigned() {
        partitions.update(oneTopic(), List.of(assignment(0)));
        await().atMost(Duration.ofSeconds(10)).until(partitions::allOpen);
        PartitionLog first = partitions.leaderLog(TP);
        first.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();

        // Another opener of the stream closes this broker's handle under the partition.
        store.openStream(streamId).join();

        assertThatThrownBy(() -> first.appendAsLeader(PartitionLogFixture.records(2_000, "b"), AppendOrigin.CLIENT)
            .join()).hasCauseInstanceOf(NotLeaderOrFollowerException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions.allOpen() && partitions.leaderLog(TP) != first);
        AppendResult after = partitions.leaderLog(TP).appendAsLeader(PartitionLogFixture.records(3_000, "c"),
            AppendOrigin.CLIENT).join();
        assertThat(after.firstOffset()).as("the refused batch took no offset").isEqualTo(1);
        assertThat(PartitionLogFixture.readAll(partitions.leaderLog(TP))).containsExactly("a", "c");
    }
}
