package io.lakestream.broker.handler.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.handler.fetch.FetchHandler.Target;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LongPoll} over a real partition: when a fetch that wants more bytes than are ready reads again. */
class LongPollTest {
    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private LongPoll longPoll(PartitionLog log, int minBytes, int maxWaitMs) {
        FetchRequest.PartitionData data = new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 1 << 20,
            Optional.empty());
        FetchRequest request = FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), maxWaitMs, minBytes,
            Map.of(PartitionLogFixture.TP, data)).build();
        Target target = new Target(new TopicIdPartition(Uuid.ZERO_UUID, PartitionLogFixture.TP), data, log,
            Errors.NONE);
        return new LongPoll(List.of(target), request, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs),
            timer);
    }

    /**
     * Fewer bytes than min.bytes are ready: the fetch reads once, then again only when an
     * append comes, and answers once the bytes reach min.bytes. It used to read again at once
     * whenever the partition held any data past the fetch offset, in a loop until its deadline.
     */
    @Test
    void aFetchShortOfItsMinimumReadsAgainOnlyAfterAnAppend() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        MemoryRecords first = PartitionLogFixture.records(1_000, "a", "b");
        log.appendAsLeader(first, AppendOrigin.CLIENT).join();
        // A deadline no test run reaches: only the appends end this fetch.
        LongPoll poll = longPoll(log, first.sizeInBytes() + 1, 600_000);

        CompletableFuture<List<LongPoll.Reading>> readings = poll.run();
        assertThat(poll.attempts()).as("reads before any append").isEqualTo(1);
        assertThat(readings).isNotDone();
        // The append wakes the fetch before its future completes, and the read runs then.
        log.appendAsLeader(PartitionLogFixture.records(2_000, "c"), AppendOrigin.CLIENT).join();

        assertThat(poll.attempts()).as("reads after one append").isEqualTo(2);
        assertThat(readings.get(10, TimeUnit.SECONDS)).singleElement().satisfies(reading -> {
            assertThat(reading.error()).isEqualTo(Errors.NONE);
            assertThat(reading.data().highWatermark()).isEqualTo(3);
        });
    }

    /** With no append, the fetch reads once more at max.wait.ms and answers what there is. */
    @Test
    void aFetchShortOfItsMinimumIsAnsweredAtItsDeadline() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();
        LongPoll poll = longPoll(log, 1 << 20, 100);

        List<LongPoll.Reading> answered = poll.run().get(10, TimeUnit.SECONDS);

        assertThat(poll.attempts()).as("the first read and the deadline's").isEqualTo(2);
        assertThat(answered.get(0).data().sizeInBytes()).isPositive();
    }

    @Test
    void aFetchWhoseMinimumIsReadyIsAnsweredAfterOneRead() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();
        LongPoll poll = longPoll(log, 1, 600_000);

        List<LongPoll.Reading> answered = poll.run().get(10, TimeUnit.SECONDS);

        assertThat(poll.attempts()).isEqualTo(1);
        assertThat(answered.get(0).data().sizeInBytes()).isPositive();
    }
}
