package io.lakestream.broker.partition;

import static io.lakestream.broker.partition.PartitionLogFixture.readAll;
import static io.lakestream.broker.partition.PartitionLogFixture.records;
import static io.lakestream.broker.partition.PartitionLogFixture.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PartitionLog} over a real stream store: a block WAL and a local object store in a temp dir. */
class PartitionLogTest {
    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();

    private PartitionLog load(LogConfig config) {
        return fixture.load(config);
    }

    private static LogConfig config(Map<String, Object> overrides) {
        return new LogConfig(overrides);
    }

    private static MemoryRecords idempotent(long producerId, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, sequence, records);
    }

    /** A copy: an append assigns offsets in place. */
    private static MemoryRecords copy(MemoryRecords records) {
        ByteBuffer bytes = ByteBuffer.allocate(records.sizeInBytes());
        bytes.put(records.buffer().duplicate()).flip();
        return MemoryRecords.readableRecords(bytes);
    }

    @Test
    void appendAssignsOffsetsAndLeaderEpochAndReadReturnsTheRecords() {
        PartitionLog log = load(config(Map.of()));
        AppendResult first = log.appendAsLeader(records(1000, "a", "b"), AppendOrigin.CLIENT).join();
        AppendResult second = log.appendAsLeader(records(2000, "c"), AppendOrigin.CLIENT).join();

        assertThat(first.firstOffset()).isZero();
        assertThat(first.lastOffset()).isEqualTo(1);
        assertThat(second.firstOffset()).isEqualTo(2);
        assertThat(log.highWatermark()).isEqualTo(3);
        ReadResult read = log.read(1, 1 << 20, true).join();
        assertThat(values(read.records(), 1)).containsExactly("b", "c");
        assertThat(read.records().batches()).allSatisfy(batch -> assertThat(batch.partitionLeaderEpoch()).isEqualTo(3));
    }

    @Test
    void batchInsideALargerRequestBufferIsAppendedIntactAndOutlivesThatBuffer() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "a"), AppendOrigin.CLIENT).join();
        MemoryRecords batch = records(2000, "b", "c");
        // As a produce request delivers it: the batch inside the request's bytes, not at position 0.
        ByteBuffer request = ByteBuffer.allocate(7 + batch.sizeInBytes() + 5);
        request.position(7);
        request.put(batch.buffer().duplicate()).flip().position(7);

        AppendResult appended = log.appendAsLeader(MemoryRecords.readableRecords(request.slice()), AppendOrigin.CLIENT).join();
        Arrays.fill(request.array(), (byte) 0); // the request buffer is reused; the log kept its own bytes

        assertThat(appended.firstOffset()).isEqualTo(1);
        assertThat(appended.lastOffset()).isEqualTo(2);
        ReadResult read = log.read(0, 1 << 20, true).join();
        assertThat(values(read.records(), 0)).containsExactly("a", "b", "c");
        assertThat(read.records().batches()).extracting(RecordBatch::baseOffset).containsExactly(0L, 1L);
        read.records().batches().forEach(MutableRecordBatch::ensureValid);
    }

    @Test
    void readReturnsAtLeastOneBatchOnlyWhenAskedTo() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "x".repeat(5000)), AppendOrigin.CLIENT).join();

        assertThat(log.read(0, 100, true).join().sizeInBytes()).isGreaterThan(5000);
        assertThat(log.read(0, 100, false).join().sizeInBytes()).isZero();
    }

    @Test
    void readOutsideTheLogFailsWithOffsetOutOfRange() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "a"), AppendOrigin.CLIENT).join();

        assertThatThrownBy(() -> log.read(5, 1024, true).join())
            .isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(1, 1024, true).join().sizeInBytes()).isZero();
    }

    @Test
    void batchLargerThanMaxMessageBytesIsRefusedAndNothingIsAppended() {
        PartitionLog log = load(config(Map.of("max.message.bytes", 1000)));

        assertThatThrownBy(() -> log.appendAsLeader(records(1000, "y".repeat(2000)), AppendOrigin.CLIENT))
            .isInstanceOf(RecordTooLargeException.class)
            .hasMessageContaining("events-0");
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void corruptBatchIsRefusedWithCorruptRecord() {
        PartitionLog log = load(config(Map.of()));
        MemoryRecords records = records(1000, "a", "b");
        ByteBuffer buffer = records.buffer();
        buffer.put(buffer.limit() - 1, (byte) (buffer.get(buffer.limit() - 1) ^ 0xff));

        assertThatThrownBy(() -> log.appendAsLeader(MemoryRecords.readableRecords(buffer), AppendOrigin.CLIENT))
            .isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void retriedIdempotentBatchGetsItsOriginalOffsetsAndIsNotAppendedTwice() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "other"), AppendOrigin.CLIENT).join();
        MemoryRecords batch = idempotent(7, 0, "a", "b");
        AppendResult original = log.appendAsLeader(copy(batch), AppendOrigin.CLIENT).join();

        AppendResult retry = log.appendAsLeader(copy(batch), AppendOrigin.CLIENT).join();

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(original.firstOffset()).isEqualTo(1);
        assertThat(retry.logAppendTimeMs()).as("as Kafka: the original batch's timestamp")
            .isEqualTo(batch.batches().iterator().next().maxTimestamp());
        assertThat(log.logEndOffset()).isEqualTo(3);
    }

    @Test
    void sequenceGapIsRefusedWithOutOfOrderSequence() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(idempotent(7, 0, "a"), AppendOrigin.CLIENT).join();

        assertThatThrownBy(() -> log.appendAsLeader(idempotent(7, 5, "b"), AppendOrigin.CLIENT))
            .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void aProducersBatchesOnALogThatNeverHeldARecordStartAtSequenceZero() {
        PartitionLog log = load(config(Map.of()));
        // The producer's first two batches were refused while the partition was opening; the third came after.
        assertThatThrownBy(() -> log.appendAsLeader(idempotent(7, 3, "d"), AppendOrigin.CLIENT))
            .isInstanceOf(OutOfOrderSequenceException.class);

        log.appendAsLeader(idempotent(7, 0, "a", "b"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(7, 2, "c"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(7, 3, "d"), AppendOrigin.CLIENT).join();
        // Once the log holds records, a producer it does not know may start anywhere, as on Kafka.
        log.appendAsLeader(idempotent(8, 40, "x"), AppendOrigin.CLIENT).join();

        assertThat(readAll(log)).containsExactly("a", "b", "c", "d", "x");
    }

    @Test
    void producerStateSurvivesARestartOfTheBroker() throws Exception {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(idempotent(7, 0, "a", "b"), AppendOrigin.CLIENT).join();
        fixture.restart();

        PartitionLog reloaded = load(config(Map.of()));
        AppendResult retry = reloaded.appendAsLeader(idempotent(7, 0, "a", "b"), AppendOrigin.CLIENT).join();
        AppendResult next = reloaded.appendAsLeader(idempotent(7, 2, "c"), AppendOrigin.CLIENT).join();

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isZero();
        assertThat(next.firstOffset()).isEqualTo(2);
        assertThat(readAll(reloaded)).containsExactly("a", "b", "c");
    }

    @Test
    void loweredMaxMessageBytesRefusesABatchTheOldConfigAccepted() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "y".repeat(2000)), AppendOrigin.CLIENT).join();

        log.updateConfig(config(Map.of("max.message.bytes", 1000)));

        assertThatThrownBy(() -> log.appendAsLeader(records(1000, "y".repeat(2000)), AppendOrigin.CLIENT))
            .isInstanceOf(RecordTooLargeException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void sizeCountsTheBatchesFromTheLogStartAcrossARestart() throws Exception {
        PartitionLog log = load(config(Map.of("index.interval.bytes", 1)));
        assertThat(log.sizeInBytes()).isZero();
        MemoryRecords first = records(1000, "a".repeat(100));
        MemoryRecords second = records(2000, "b".repeat(300));
        int firstSize = first.sizeInBytes();
        int secondSize = second.sizeInBytes();
        log.appendAsLeader(first, AppendOrigin.CLIENT).join();
        log.appendAsLeader(second, AppendOrigin.CLIENT).join();
        assertThat(log.sizeInBytes()).isEqualTo(firstSize + secondSize);

        log.trim(1).join();
        assertThat(log.sizeInBytes()).as("after the first batch is trimmed").isEqualTo(secondSize);

        fixture.restart();
        assertThat(load(config(Map.of())).sizeInBytes()).as("after a reload").isEqualTo(secondSize);
    }

    @Test
    void activeProducersReportEachIdempotentProducersLastSequence() {
        PartitionLog log = load(config(Map.of()));
        log.appendAsLeader(records(1000, "plain"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(7, 0, "a", "b"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(7, 2, "c"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(9, 0, "d"), AppendOrigin.CLIENT).join();

        assertThat(log.activeProducers())
            .extracting(p -> p.producerId() + "/" + p.producerEpoch() + "/" + p.lastSequence() + "/"
                + p.currentTxnStartOffset())
            .containsExactlyInAnyOrder("7/0/2/-1", "9/0/0/-1");
        assertThat(log.activeProducers()).allSatisfy(p -> assertThat(p.lastTimestamp()).isPositive());
    }

    @Test
    void offsetForTimestampFindsTheFirstRecordAtOrAfterIt() {
        PartitionLog log = load(config(Map.of("index.interval.bytes", 1)));
        log.appendAsLeader(records(1000, "a", "b"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(5000, "c", "d"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(9000, "e"), AppendOrigin.CLIENT).join();

        assertThat(log.offsetForTimestamp(1001).join()).map(PartitionLog.TimestampAndOffset::offset).contains(1L);
        assertThat(log.offsetForTimestamp(4000).join()).map(PartitionLog.TimestampAndOffset::offset).contains(2L);
        assertThat(log.offsetForTimestamp(5001).join()).map(PartitionLog.TimestampAndOffset::timestamp).contains(5001L);
        assertThat(log.offsetForTimestamp(9001).join()).isEqualTo(Optional.empty());
        assertThat(log.maxTimestamp().join()).map(PartitionLog.TimestampAndOffset::offset).contains(4L);
    }

    @Test
    void logAppendTimeTopicStampsTheBrokerTime() {
        PartitionLog log = load(config(Map.of("message.timestamp.type", "LogAppendTime")));
        long before = System.currentTimeMillis();

        AppendResult result = log.appendAsLeader(records(1, "a"), AppendOrigin.CLIENT).join();

        assertThat(result.logAppendTimeMs()).isGreaterThanOrEqualTo(before);
        MutableRecordBatch batch = log.read(0, 1024, true).join().records().batches().iterator().next();
        assertThat(batch.timestampType()).isEqualTo(org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(result.logAppendTimeMs());
        assertThat(RecordBatch.CURRENT_MAGIC_VALUE).isEqualTo(batch.magic());
    }

    @Test
    void aWaiterThatFailsLeavesTheAppendAcknowledgedAndTheOtherWaitersWoken() {
        PartitionLog log = load(config(Map.of()));
        AtomicInteger woken = new AtomicInteger();
        log.onNextAppend(() -> {
            throw new IllegalStateException("a broken waiter");
        });
        log.onNextAppend(woken::incrementAndGet);

        AppendResult result = log.appendAsLeader(records(1000, "a"), AppendOrigin.CLIENT).join();

        assertThat(result.firstOffset()).isZero();
        assertThat(woken).hasValue(1);
        assertThat(values(log.read(0, 1 << 20, true).join().records(), 0)).containsExactly("a");
    }
}
