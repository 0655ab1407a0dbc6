package io.lakestream.broker.partition;

import static io.lakestream.broker.partition.PartitionLogFixture.readAll;
import static io.lakestream.broker.partition.PartitionLogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.message.AbortedTxn;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The persisted index over a real stream store and object store: what a partition restores
 * from its {@link IndexSegment}s after a restart must be what a full replay of its stream
 * gives, and a segment that does not describe the stream must never be used.
 */
class IndexCheckpointTest {
    private static final LogConfig EVERY_BATCH_INDEXED = new LogConfig(Map.of("index.interval.bytes", 1));

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();

    private static MemoryRecords idempotent(long producerId, int sequence, long timestamp, String value) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, sequence,
            new SimpleRecord(timestamp, value.getBytes(StandardCharsets.UTF_8)));
    }

    private List<ObjectInfo> segmentObjects() {
        return fixture.storage().list("partition-index/").join();
    }

    @Test
    void restartRestoresTheCheckpointAndReplaysOnlyTheBatchesAfterIt() throws Exception {
        // Recent timestamps: Kafka drops producers idle past producer.id.expiration.ms when it loads a snapshot.
        long now = System.currentTimeMillis();
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);
        log.appendAsLeader(idempotent(7, 0, now - 3_000, "a"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(idempotent(7, 1, now - 2_000, "b"), AppendOrigin.CLIENT).join();
        assertThat(log.checkpointIndex().join()).isTrue();
        log.appendAsLeader(idempotent(7, 2, now - 1_000, "c"), AppendOrigin.CLIENT).join();
        long size = log.sizeInBytes();
        fixture.restart();

        PartitionLog reloaded = fixture.load(EVERY_BATCH_INDEXED);

        assertThat(reloaded.restoredIndexEndOffset()).as("restored from the checkpoint at offset 2").isEqualTo(2);
        assertThat(reloaded.sizeInBytes()).isEqualTo(size);
        assertThat(reloaded.offsetForTimestamp(now - 2_500).join()).map(PartitionLog.TimestampAndOffset::offset)
            .contains(1L);
        assertThat(reloaded.maxTimestamp().join()).map(PartitionLog.TimestampAndOffset::offset).contains(2L);
        AppendResult retryBeforeCheckpoint = reloaded.appendAsLeader(idempotent(7, 1, now - 2_000, "b"),
            AppendOrigin.CLIENT).join();
        AppendResult retryAfterCheckpoint = reloaded.appendAsLeader(idempotent(7, 2, now - 1_000, "c"),
            AppendOrigin.CLIENT).join();
        AppendResult next = reloaded.appendAsLeader(idempotent(7, 3, now, "d"), AppendOrigin.CLIENT).join();
        assertThat(retryBeforeCheckpoint.duplicate()).isTrue();
        assertThat(retryBeforeCheckpoint.firstOffset()).isEqualTo(1);
        assertThat(retryAfterCheckpoint.duplicate()).isTrue();
        assertThat(retryAfterCheckpoint.firstOffset()).isEqualTo(2);
        assertThat(next.firstOffset()).isEqualTo(3);
        assertThat(readAll(reloaded)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aPartitionNeverWrittenToHasNothingToCheckpoint() {
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);

        assertThat(log.checkpointState().lastBatch()).isEqualTo(PartitionLog.BatchRef.NONE);
        assertThat(log.checkpointIndex().join()).isFalse();
        log.appendAsLeader(records(1_000, "a"), AppendOrigin.CLIENT).join();
        assertThat(log.checkpointIndex().join()).isTrue();
    }

    @Test
    void closingAPartitionCheckpointsItSoTheNextLoadReplaysNothing() throws Exception {
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);
        log.appendAsLeader(records(1_000, "a", "b"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(2_000, "c"), AppendOrigin.CLIENT).join();
        log.close().join();
        fixture.restart();

        PartitionLog reloaded = fixture.load(EVERY_BATCH_INDEXED);

        assertThat(reloaded.restoredIndexEndOffset()).isEqualTo(3);
        assertThat(reloaded.offsetForTimestamp(1_500).join()).map(PartitionLog.TimestampAndOffset::offset).contains(2L);
    }

    @Test
    void checkpointsExtendOneSegmentInsteadOfAddingObjects() {
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);
        for (int i = 0; i < 5; i++) {
            log.appendAsLeader(records(1_000 + i, "v" + i), AppendOrigin.CLIENT).join();
            assertThat(log.checkpointIndex().join()).isTrue();
        }

        assertThat(log.checkpointIndex().join()).as("nothing new to checkpoint").isFalse();
        assertThat(segmentObjects()).hasSize(1);
        IndexSegment segment = IndexSegment.deserialize(fixture.storage()
            .rangeRead(segmentObjects().get(0).key(), 0, segmentObjects().get(0).size()).join());
        assertThat(segment.isRoot()).isTrue();
        assertThat(segment.endOffset()).isEqualTo(5);
        assertThat(segment.entries()).extracting(TimeIndex.Entry::offset).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void aTrimToAnIndexEntryAfterTheCheckpointIsRestoredWithItsPosition() throws Exception {
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);
        log.appendAsLeader(records(1_000, "a".repeat(100)), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(2_000, "b".repeat(200)), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(3_000, "c".repeat(300)), AppendOrigin.CLIENT).join();
        log.checkpointIndex().join();
        log.trim(2).join();
        long size = log.sizeInBytes();
        fixture.restart();

        PartitionLog reloaded = fixture.load(EVERY_BATCH_INDEXED);

        assertThat(reloaded.restoredIndexEndOffset()).isEqualTo(3);
        assertThat(reloaded.logStartOffset()).isEqualTo(2);
        assertThat(reloaded.sizeInBytes()).isEqualTo(size).isEqualTo(records(3_000, "c".repeat(300)).sizeInBytes());
    }

    @Test
    void aSegmentThatDoesNotDescribeTheStreamIsDeletedAndTheStreamReplayed() throws Exception {
        PartitionLog log = fixture.load(EVERY_BATCH_INDEXED);
        log.appendAsLeader(records(1_000, "a"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(2_000, "b"), AppendOrigin.CLIENT).join();
        // A segment ending at offset 2 whose anchor batch is not the stream's (another history).
        IndexSegment foreign = new IndexSegment(IndexSegment.ROOT, -1, 2, 1, 12345,
            new TimeIndex.Start(0, 0), new TimeIndex.Tail(999, 0, 99_999, 1, 0),
            List.of(new TimeIndex.Entry(0, -1, 0)), ByteBuffer.allocate(0), List.of());
        new IndexSegmentStore(fixture.storage()).write(log.stream().streamId(), foreign).join();
        long size = log.sizeInBytes();
        fixture.restart();

        PartitionLog reloaded = fixture.load(EVERY_BATCH_INDEXED);

        assertThat(reloaded.restoredIndexEndOffset()).as("replayed, not restored").isEqualTo(-1);
        assertThat(reloaded.sizeInBytes()).isEqualTo(size);
        assertThat(reloaded.maxTimestamp().join()).map(PartitionLog.TimestampAndOffset::timestamp).contains(2_000L);
        assertThat(segmentObjects()).as("the foreign segment is deleted").isEmpty();
    }

    @Test
    void segmentsRoundTripAndACorruptOneIsRefused() {
        IndexSegment segment = new IndexSegment(40, 7, 90, 85, 4242, new TimeIndex.Start(10, 300),
            new TimeIndex.Tail(5_000, 12, 77_000, 60, 3),
            List.of(new TimeIndex.Entry(40, 70_000, 1_000), new TimeIndex.Entry(60, 76_000, 3_000)),
            ByteBuffer.wrap(new byte[] {1, 2, 3}),
            List.of(new AbortedTxn().setProducerId(9).setFirstOffset(41).setLastOffset(50).setLastStableOffset(41)));
        ByteBuffer bytes = segment.serialize();

        IndexSegment read = IndexSegment.deserialize(bytes);

        assertThat(read).usingRecursiveComparison().isEqualTo(segment);
        bytes.put(bytes.limit() - 5, (byte) (bytes.get(bytes.limit() - 5) ^ 1));
        assertThatThrownBy(() -> IndexSegment.deserialize(bytes)).isInstanceOf(CorruptRecordException.class)
            .hasMessageContaining("CRC");
    }
}
