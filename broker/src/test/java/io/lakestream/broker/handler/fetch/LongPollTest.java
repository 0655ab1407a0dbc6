package io.lakestream.broker.handler.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.handler.fetch.FetchHandler.Target;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LongPoll} over a real partition: when a fetch that wants more bytes than are ready reads again. */
class LongPollTest {
    private static final int MAX_WAIT_MS = 500;

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private LongPoll longPoll(PartitionLog log, int minBytes) {
        FetchRequest.PartitionData data = new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 1 << 20,
            Optional.empty());
        FetchRequest request = FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), MAX_WAIT_MS, minBytes,
            Map.of(PartitionLogFixture.TP, data)).build();
        Target target = new Target(new TopicIdPartition(Uuid.ZERO_UUID, PartitionLogFixture.TP), data, log,
            Errors.NONE);
        return new LongPoll(List.of(target), request, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS),
            timer);
    }

    /**
     * Fewer bytes than min.bytes are ready: the fetch reads once, once more for the one append
     * that comes while it waits, and a last time at max.wait.ms. It used to read again at once
     * whenever the partition held any data past the fetch offset, which spun until the deadline.
     */
    @Test
    void aFetchShortOfItsMinimumReadsAgainOnlyForAnAppendOrItsDeadline() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a", "b"), AppendOrigin.CLIENT).join();
        LongPoll poll = longPoll(log, 1 << 20);

        var readings = poll.run();
        assertThat(poll.attempts()).as("reads before any append").isEqualTo(1);
        log.appendAsLeader(PartitionLogFixture.records(2_000, "c"), AppendOrigin.CLIENT).join();
        List<LongPoll.Reading> answered = readings.get(10, TimeUnit.SECONDS);

        assertThat(poll.attempts()).as("the first read, the append's, the deadline's").isEqualTo(3);
        assertThat(answered).singleElement().satisfies(reading -> {
            assertThat(reading.error()).isEqualTo(Errors.NONE);
            assertThat(reading.data().highWatermark()).isEqualTo(3);
        });
    }

    @Test
    void aFetchWhoseMinimumIsReadyIsAnsweredAfterOneRead() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();
        LongPoll poll = longPoll(log, 1);

        List<LongPoll.Reading> answered = poll.run().get(10, TimeUnit.SECONDS);

        assertThat(poll.attempts()).isEqualTo(1);
        assertThat(answered.get(0).data().sizeInBytes()).isPositive();
    }
}
