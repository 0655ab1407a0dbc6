package io.lakestream.broker.partition;

import static io.lakestream.broker.partition.PartitionLogFixture.TP;
import static io.lakestream.broker.partition.PartitionLogFixture.readAll;
import static io.lakestream.broker.partition.PartitionLogFixture.readBatches;
import static io.lakestream.broker.partition.PartitionLogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.broker.metrics.TopicMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RetentionEnforcer} on partitions over a real block WAL and local object store, stepped one pass at a time. */
class RetentionEnforcerTest {
    private static final long HOUR = 3_600_000;
    private static final String KIB = "v".repeat(1000);
    private static final int DEFAULT_INDEX_INTERVAL = new LogConfig(Map.of()).indexInterval;

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ManualTime time = new ManualTime(1_700_000_000_000L);

    private PartitionLog load(Map<String, Object> topicConfig) {
        return fixture.load(new LogConfig(topicConfig), time);
    }

    private RetentionEnforcer enforcer(PartitionLog log) {
        return new RetentionEnforcer(() -> List.of(log), new TopicMetrics(registry), time);
    }

    /** Appends one batch whose records have timestamps from {@code timestamp} on. */
    private static void append(PartitionLog log, long timestamp, String... values) {
        log.appendAsLeader(records(timestamp, values), AppendOrigin.CLIENT).join();
    }

    private static long bytes(List<MutableRecordBatch> batches) {
        return batches.stream().mapToLong(MutableRecordBatch::sizeInBytes).sum();
    }

    private double trimmed(String meter) {
        Counter counter = registry.find(meter).tag("topic", TP.topic()).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void timeRetentionRemovesTheBatchesWhoseRecordsAreAllOlderThanRetentionMs() {
        PartitionLog log = load(Map.of("retention.ms", HOUR, "index.interval.bytes", 1));
        long now = time.milliseconds();
        append(log, now - 3 * HOUR, "old-1", "old-2");
        append(log, now - 2 * HOUR, "old-3");
        append(log, now - HOUR / 2, "new-1");
        append(log, now, "new-2");
        long oldBytes = bytes(readBatches(log).subList(0, 2));
        long sizeBefore = log.sizeInBytes();
        assertThat(sizeBefore).as("size of every batch").isEqualTo(bytes(readBatches(log)));

        int trimmedPartitions = enforcer(log).enforce().join();

        assertThat(trimmedPartitions).isEqualTo(1);
        assertThat(log.logStartOffset()).as("log start offset").isEqualTo(3);
        assertThat(readAll(log)).containsExactly("new-1", "new-2");
        assertThat(log.sizeInBytes()).as("size after the trim").isEqualTo(sizeBefore - oldBytes);
        assertThat(trimmed(TopicMetrics.RETENTION_TRIMMED_RECORDS)).isEqualTo(3);
        assertThat(trimmed(TopicMetrics.RETENTION_TRIMMED_BYTES)).isEqualTo(oldBytes);
        assertThat(enforcer(log).enforce().join()).as("partitions trimmed by a second pass").isZero();
    }

    @Test
    void timeRetentionOfALogAppendTimeTopicFollowsTheBrokerClock() {
        PartitionLog log = load(Map.of("message.timestamp.type", "LogAppendTime", "retention.ms", HOUR,
            "index.interval.bytes", 1));
        append(log, 1, "a");
        append(log, 1, "b");
        time.advance(2 * HOUR);
        append(log, 1, "c");

        enforcer(log).enforce().join();

        assertThat(log.logStartOffset()).as("log start offset").isEqualTo(2);
        assertThat(readAll(log)).containsExactly("c");
    }

    @Test
    void timeRetentionAtTheDefaultIndexIntervalRemovesWholeRunsAndNoRecentRecord() {
        PartitionLog log = load(Map.of("retention.ms", HOUR));
        long now = time.milliseconds();
        for (int i = 0; i < 30; i++) {
            append(log, now - 2 * HOUR, "old-" + i + KIB);
        }
        for (int i = 0; i < 5; i++) {
            append(log, now, "new-" + i);
        }
        int batchesPerRun = DEFAULT_INDEX_INTERVAL / 1000 + 2;

        enforcer(log).enforce().join();

        assertThat(log.logStartOffset()).as("log start offset")
            .isGreaterThanOrEqualTo(30 - batchesPerRun)
            .isLessThanOrEqualTo(30);
        assertThat(readAll(log)).endsWith("new-0", "new-1", "new-2", "new-3", "new-4");
        assertThat(log.sizeInBytes()).isEqualTo(bytes(readBatches(log)));
    }

    @Test
    void partitionWhoseRecordsAllExpiredIsEmptiedUpToTheHighWatermark() {
        PartitionLog log = load(Map.of("retention.ms", HOUR));
        long old = time.milliseconds() - 2 * HOUR;
        append(log, old, "a", "b");
        append(log, old, "c");

        enforcer(log).enforce().join();

        assertThat(log.logStartOffset()).as("log start offset").isEqualTo(3).isEqualTo(log.highWatermark());
        assertThat(log.sizeInBytes()).isZero();
        assertThatThrownBy(() -> log.read(0, 1024, true).join())
            .isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.trim(4).join()).hasCauseInstanceOf(OffsetOutOfRangeException.class);

        append(log, time.milliseconds(), "d");
        assertThat(readAll(log)).containsExactly("d");
        assertThat(log.sizeInBytes()).isEqualTo(bytes(readBatches(log)));
    }

    @Test
    void sizeRetentionRemovesTheOldestBatchesAndKeepsAtLeastRetentionBytes() {
        PartitionLog log = load(Map.of("retention.bytes", 5000L));
        List<String> values = IntStream.range(0, 20).mapToObj(i -> i + KIB).toList();
        values.forEach(value -> append(log, time.milliseconds(), value));
        long sizeBefore = log.sizeInBytes();
        int maxBatch = readBatches(log).stream().mapToInt(MutableRecordBatch::sizeInBytes).max().orElseThrow();

        enforcer(log).enforce().join();

        long start = log.logStartOffset();
        long retained = bytes(readBatches(log));
        assertThat(start).as("log start offset").isPositive();
        assertThat(log.sizeInBytes()).as("tracked size").isEqualTo(retained);
        assertThat(retained).as("bytes retained")
            .isGreaterThanOrEqualTo(5000)
            .isLessThan(5000 + DEFAULT_INDEX_INTERVAL + maxBatch);
        assertThat(readAll(log)).containsExactlyElementsOf(values.subList((int) start, 20));
        assertThat(trimmed(TopicMetrics.RETENTION_TRIMMED_RECORDS)).isEqualTo(start);
        assertThat(trimmed(TopicMetrics.RETENTION_TRIMMED_BYTES)).isEqualTo(sizeBefore - retained);
    }

    @Test
    void compactOnlyTopicIsNotTrimmed() {
        PartitionLog log = load(Map.of("cleanup.policy", "compact", "retention.ms", 1L, "retention.bytes", 1L));
        append(log, 1000, "a", "b");
        append(log, 2000, "c");
        long size = log.sizeInBytes();

        assertThat(enforcer(log).enforce().join()).isZero();

        assertThat(log.logStartOffset()).isZero();
        assertThat(log.sizeInBytes()).isEqualTo(size);
        assertThat(readAll(log)).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"delete", "compact,delete"})
    void policyIncludingDeleteIsTrimmed(String policy) {
        PartitionLog log = load(Map.of("cleanup.policy", policy, "retention.ms", HOUR));
        append(log, 1000, "a");

        assertThat(enforcer(log).enforce().join()).isEqualTo(1);
        assertThat(log.logStartOffset()).isEqualTo(1);
    }

    @Test
    void minusOneKeepsRecordsForeverWhateverTheirAgeAndSize() {
        PartitionLog log = load(Map.of("retention.ms", -1L, "retention.bytes", -1L, "index.interval.bytes", 1));
        append(log, 1000, "a" + KIB);
        append(log, 2000, "b" + KIB);

        assertThat(enforcer(log).enforce().join()).isZero();

        assertThat(log.logStartOffset()).isZero();
        assertThat(readAll(log)).hasSize(2);
        assertThat(registry.find(TopicMetrics.RETENTION_TRIMMED_RECORDS).counter()).isNull();
    }

    @Test
    void trimInsideABatchKeepsTheBatchAndItsBytes() {
        PartitionLog log = load(Map.of("index.interval.bytes", 1_000_000));
        append(log, 1000, "a", "b", "c");
        append(log, 1000, "d", "e");
        append(log, 1000, "f");
        long firstBatch = bytes(readBatches(log).subList(0, 1));
        long size = log.sizeInBytes();

        PartitionLog.TrimResult inside = log.trim(1).join();
        PartitionLog.TrimResult next = log.trim(4).join();

        assertThat(inside.bytes()).as("bytes removed by a trim inside the first batch").isZero();
        assertThat(next.bytes()).as("bytes removed past the first batch").isEqualTo(firstBatch);
        assertThat(next.records()).isEqualTo(3);
        assertThat(log.sizeInBytes()).isEqualTo(size - firstBatch).isEqualTo(bytes(readBatches(log)));
        assertThat(readAll(log)).containsExactly("e", "f");
    }

    @Test
    void trimmedStartAndSizeStayTheSameAfterARestart() throws Exception {
        Map<String, Object> config = Map.of("retention.bytes", 5000L);
        PartitionLog log = load(config);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            values.add(i + "a" + KIB);
            values.add(i + "b" + KIB);
            append(log, time.milliseconds(), values.get(2 * i), values.get(2 * i + 1));
        }
        enforcer(log).enforce().join();
        log.trim(log.logStartOffset() + 3).join();
        long start = log.logStartOffset();
        long size = log.sizeInBytes();
        assertThat(start % 2).as("the start is inside a batch").isEqualTo(1);

        fixture.restart();
        PartitionLog reloaded = load(config);

        assertThat(reloaded.logStartOffset()).as("log start offset after the restart").isEqualTo(start);
        assertThat(reloaded.sizeInBytes()).as("size after the restart").isEqualTo(size)
            .isEqualTo(bytes(readBatches(reloaded)));
        assertThat(readAll(reloaded)).containsExactlyElementsOf(values.subList((int) start, 40));
        enforcer(reloaded).enforce().join();
        assertThat(reloaded.sizeInBytes()).as("size after retention on the reloaded log")
            .isGreaterThanOrEqualTo(5000)
            .isEqualTo(bytes(readBatches(reloaded)));
    }
}
