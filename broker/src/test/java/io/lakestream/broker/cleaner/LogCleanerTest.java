package io.lakestream.broker.cleaner;

import static io.lakestream.broker.partition.PartitionLogFixture.readAll;
import static io.lakestream.broker.partition.PartitionLogFixture.readBatches;
import static io.lakestream.broker.partition.PartitionLogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.SkimpyOffsetMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link LogCleaner} on a compacted partition over a real block WAL and local object store, one pass at a time. */
class LogCleanerTest {
    private static final int KEYS = 10;

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private LogCleaner cleaner;

    @AfterEach
    void closeCleaner() {
        if (cleaner != null) {
            cleaner.close();
        }
    }

    private PartitionLog compacted(double minCleanableRatio) {
        PartitionLog log = fixture.load(new LogConfig(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, minCleanableRatio)), Time.SYSTEM);
        cleaner = new LogCleaner(() -> List.of(log), fixture.store(), 60_000, 1 << 20, 0.9, Time.SYSTEM,
            new SimpleMeterRegistry());
        return log;
    }

    /** Writes {@code rounds} batches, each with one value for keys k0..k{KEYS-1}, and uploads them. */
    private void overwrite(PartitionLog log, int rounds) {
        for (int round = 0; round < rounds; round++) {
            String[] values = valuesOfRound(round);
            log.appendAsLeader(records(System.currentTimeMillis(), values), AppendOrigin.CLIENT).join();
        }
        fixture.store().uploadNow().join();
    }

    private static String[] valuesOfRound(int round) {
        return IntStream.range(0, KEYS).mapToObj(k -> "round-" + round + "-of-k" + k).toArray(String[]::new);
    }

    @Test
    void aPassKeepsTheLatestValueOfEachKeyAndTheLogEnd() {
        PartitionLog log = compacted(0.5);
        overwrite(log, 5);

        assertThat(cleaner.cleanNow().join()).as("partitions cleaned").isEqualTo(1);

        assertThat(readAll(log)).containsExactly(valuesOfRound(4));
        assertThat(log.highWatermark()).as("log end after cleaning").isEqualTo(5 * KEYS);
        assertThat(cleaner.cleanNow().join()).as("partitions cleaned by a pass with nothing dirty").isZero();
    }

    @Test
    void fewNewRecordsAfterAPassAreWeighedAgainstTheRecordsItKeptNotItsOffsets() {
        PartitionLog log = compacted(0.2);
        overwrite(log, 10);
        assertThat(cleaner.cleanNow().join()).isEqualTo(1);

        // 3 new records over 100 offsets is 3%, but over the 10 records left it is 23%.
        log.appendAsLeader(records(System.currentTimeMillis(), "new-k0", "new-k1", "new-k2"), AppendOrigin.CLIENT)
            .join();
        fixture.store().uploadNow().join();

        assertThat(cleaner.cleanNow().join()).as("partitions cleaned by the second pass").isEqualTo(1);
        String[] last = valuesOfRound(9);
        assertThat(readAll(log)).containsExactly(last[3], last[4], last[5], last[6], last[7], last[8], last[9],
            "new-k0", "new-k1", "new-k2");
    }

    @Test
    void aSmallPassGetsAMapOfItsSizeThatHoldsAllItsKeys() throws Exception {
        int buffer = 32 << 20;
        for (long dirty : new long[] {0, 1, 2_000, 50_000}) {
            int bytes = LogCleaner.mapBytes(dirty, 0.9, buffer);
            assertThat(bytes).as("map for %d dirty offsets", dirty).isLessThanOrEqualTo(buffer / 16);
            assertThat(new SkimpyOffsetMap(bytes).slots() * 0.9).as("keys it holds").isGreaterThanOrEqualTo(dirty);
        }
        assertThat(LogCleaner.mapBytes(100_000, 0.9, buffer)).isEqualTo(buffer);
        assertThat(LogCleaner.mapBytes(Long.MAX_VALUE / 2, 0.9, buffer)).isEqualTo(buffer);
    }

    @Test
    void aPartitionBelowTheRatioWaits() {
        PartitionLog log = compacted(0.5);
        overwrite(log, 10);
        assertThat(cleaner.cleanNow().join()).isEqualTo(1);

        log.appendAsLeader(records(System.currentTimeMillis(), "new-k0", "new-k1"), AppendOrigin.CLIENT).join();
        fixture.store().uploadNow().join();

        assertThat(cleaner.cleanNow().join()).as("2 dirty of 12 records is below 0.5").isZero();
        assertThat(readAll(log)).hasSize(KEYS + 2);
    }

    @Test
    void recordsOfAnAbortedTransactionGoAndDoNotHideTheCommittedValueOfTheirKey() {
        PartitionLog log = compacted(0.01);
        log.appendAsLeader(records(System.currentTimeMillis(), "committed"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(transactional(7, "aborted"), AppendOrigin.CLIENT).join();
        log.appendTxnMarker(7, (short) 0, 0, ControlRecordType.ABORT).join();
        fixture.store().uploadNow().join();
        log.appendAsLeader(transactional(8, "open"), AppendOrigin.CLIENT).join();
        fixture.store().uploadNow().join();

        assertThat(cleaner.cleanNow().join()).as("partitions cleaned").isEqualTo(1);

        List<String> values = new ArrayList<>();
        List<ControlRecordType> markers = new ArrayList<>();
        for (MutableRecordBatch batch : readBatches(log)) {
            for (Record record : batch) {
                if (batch.isControlBatch()) {
                    markers.add(ControlRecordType.parse(record.key()));
                } else {
                    values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                }
            }
        }
        assertThat(values).as("values after cleaning: the open transaction is past the last stable offset")
            .containsExactly("committed", "open");
        assertThat(markers).as("markers after cleaning").containsExactly(ControlRecordType.ABORT);
        assertThat(log.highWatermark()).as("log end after cleaning").isEqualTo(4);
    }

    /** One transactional record of {@code producerId} with key k0, as {@link PartitionLogFixture#records} keys them. */
    private static MemoryRecords transactional(long producerId, String value) {
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0,
            new SimpleRecord(System.currentTimeMillis(), "k0".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }
}
