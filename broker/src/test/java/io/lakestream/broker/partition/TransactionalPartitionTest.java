package io.lakestream.broker.partition;

import static io.lakestream.broker.partition.PartitionLogFixture.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamRecordBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A partition's side of Kafka transactions, over a real stream store: the last stable offset
 * holds read-committed consumers back while a transaction is open, markers end it, and aborted
 * transactions are listed to them, also after a restart.
 */
class TransactionalPartitionTest {
    private static final long PRODUCER = 7;

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();

    @Test
    void anOpenTransactionHoldsTheLastStableOffsetAtItsFirstRecord() {
        PartitionLog log = loadWithAnOpenTransaction();

        assertThat(log.highWatermark()).isEqualTo(4);
        assertThat(log.lastStableOffset()).isEqualTo(1);
        ReadResult committed = log.read(0, 1 << 20, true, IsolationLevel.READ_COMMITTED).join();
        assertThat(values(committed)).containsExactly("plain-0");
        assertThat(committed.lastStableOffset()).isEqualTo(1);
        assertThat(committed.abortedTransactions()).isEmpty();
        ReadResult uncommitted = log.read(0, 1 << 20, true).join();
        assertThat(values(uncommitted)).containsExactly("plain-0", "txn-1", "txn-2", "plain-3");
        assertThat(uncommitted.abortedTransactions()).as("null for read-uncommitted, as Kafka answers").isNull();
        assertThat(log.read(1, 1 << 20, true, IsolationLevel.READ_COMMITTED).join().sizeInBytes())
            .as("nothing past the last stable offset").isZero();
    }

    @Test
    void theLastStableOffsetIsNeverBelowTheLogStart() {
        PartitionLog log = loadWithAnOpenTransaction();

        log.trim(3).join();

        assertThat(log.lastStableOffset()).as("DeleteRecords moved the start past the open transaction's first record")
            .isEqualTo(3);
        assertThat(log.read(3, 1 << 20, true, IsolationLevel.READ_COMMITTED).join().lastStableOffset()).isEqualTo(3);
    }

    @Test
    void readCommittedFetchesDoNotWaitForAnAppendHoldingThePartitionLock() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(records(1_000, "plain-0"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(transactional(0, "txn-1"), AppendOrigin.CLIENT).join();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            // As an append validating a large batch does: the fetch must not need the lock it holds.
            synchronized (log) {
                Future<ReadResult> read = reader.submit(
                    () -> log.read(0, 1 << 20, true, IsolationLevel.READ_COMMITTED).join());
                assertThat(read.get(60, TimeUnit.SECONDS).lastStableOffset()).isEqualTo(1);
                assertThat(reader.submit(log::lastStableOffset).get(60, TimeUnit.SECONDS)).isEqualTo(1);
            }
        } finally {
            reader.shutdownNow();
        }
    }

    /**
     * The write-ahead log may make a batch durable, and move the high watermark past it, before
     * its append has updated the producer state: a read-committed fetch in between must still
     * stop at the transaction's first record.
     */
    @Test
    void aTransactionalBatchDurableBeforeItsAppendEndsIsNotReadCommitted() {
        AtomicReference<PartitionLog> log = new AtomicReference<>();
        List<Long> stableWhenDurable = new ArrayList<>();
        log.set(fixture.load(new LogConfig(Map.of()),
            stream -> new DurableInAppendStream(stream, () -> stableWhenDurable.add(log.get().lastStableOffset()))));

        log.get().appendAsLeader(records(1_000, "plain-0"), AppendOrigin.CLIENT).join();
        log.get().appendAsLeader(transactional(0, "txn-1", "txn-2"), AppendOrigin.CLIENT).join();

        assertThat(stableWhenDurable).containsExactly(1L, 1L);
        assertThat(log.get().lastStableOffset()).isEqualTo(1);
    }

    @Test
    void aCommitMarkerReleasesTheTransactionAndAnAbortMarkerListsIt() {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(transactional(0, "committed-0", "committed-1"), AppendOrigin.CLIENT).join();
        log.appendTxnMarker(PRODUCER, (short) 0, 0, ControlRecordType.COMMIT).join();
        log.appendAsLeader(transactional(2, "aborted-3"), AppendOrigin.CLIENT).join();
        log.appendTxnMarker(PRODUCER, (short) 0, 0, ControlRecordType.ABORT).join();

        assertThat(log.lastStableOffset()).isEqualTo(log.highWatermark()).isEqualTo(5);
        ReadResult read = log.read(0, 1 << 20, true, IsolationLevel.READ_COMMITTED).join();
        assertThat(values(read)).containsExactly("committed-0", "committed-1", "aborted-3");
        assertThat(read.abortedTransactions()).extracting(AbortedTransaction::producerId,
            AbortedTransaction::firstOffset).containsExactly(tuple(PRODUCER, 3L));
        assertThat(log.read(0, 1 << 20, true, IsolationLevel.READ_COMMITTED).join().abortedTransactions())
            .hasSize(1);
        assertThat(log.read(0, 1, false, IsolationLevel.READ_COMMITTED).join().abortedTransactions())
            .as("a read that returned nothing reaches no aborted records").isEmpty();
    }

    @Test
    void abortedTransactionsSurviveARestartFromACheckpointAndFromAReplay() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(transactional(0, "aborted-0"), AppendOrigin.CLIENT).join();
        log.appendTxnMarker(PRODUCER, (short) 0, 0, ControlRecordType.ABORT).join();
        assertThat(log.checkpointIndex().join()).isTrue();
        log.appendAsLeader(transactional(1, "aborted-2"), AppendOrigin.CLIENT).join();
        log.appendTxnMarker(PRODUCER, (short) 0, 0, ControlRecordType.ABORT).join();
        log.appendAsLeader(transactional(2, "open-4"), AppendOrigin.CLIENT).join();
        fixture.restart();

        PartitionLog reloaded = fixture.load(new LogConfig(Map.of()));

        assertThat(reloaded.restoredIndexEndOffset()).as("restored from the checkpoint, then replayed").isEqualTo(2);
        assertThat(reloaded.lastStableOffset()).as("the open transaction still holds it back").isEqualTo(4);
        assertThat(reloaded.read(0, 1 << 20, true, IsolationLevel.READ_COMMITTED).join().abortedTransactions())
            .extracting(AbortedTransaction::firstOffset).containsExactly(0L, 2L);
    }

    /** A stream whose appends return once durable, running {@code whenDurable} first, still inside the append. */
    private record DurableInAppendStream(Stream stream, Runnable whenDurable) implements Stream {
        @Override
        public CompletableFuture<Void> append(long baseOffset, int count, ByteBuffer payload) {
            CompletableFuture<Void> append = stream.append(baseOffset, count, payload);
            append.join();
            whenDurable.run();
            return append;
        }

        @Override public long streamId() { return stream.streamId(); }
        @Override public long epoch() { return stream.epoch(); }
        @Override public long startOffset() { return stream.startOffset(); }
        @Override public long confirmOffset() { return stream.confirmOffset(); }
        @Override public long nextOffset() { return stream.nextOffset(); }
        @Override public void keepInStreamObjects(boolean keep) { stream.keepInStreamObjects(keep); }
        @Override public CompletableFuture<Void> trim(long newStartOffset) { return stream.trim(newStartOffset); }
        @Override public CompletableFuture<Void> close() { return stream.close(); }

        @Override
        public CompletableFuture<List<StreamRecordBatch>> fetch(long startOffset, long endOffset, int maxBytes) {
            return stream.fetch(startOffset, endOffset, maxBytes);
        }
    }

    /** plain-0, then txn-1 and txn-2 in a transaction still open, then plain-3: high watermark 4, stable offset 1. */
    private PartitionLog loadWithAnOpenTransaction() {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(records(1_000, "plain-0"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(transactional(0, "txn-1", "txn-2"), AppendOrigin.CLIENT).join();
        log.appendAsLeader(records(2_000, "plain-3"), AppendOrigin.CLIENT).join();
        return log;
    }

    private static MemoryRecords transactional(int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1_000 + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, PRODUCER, (short) 0, sequence, records);
    }

    /** The values of the data records read, markers left out. */
    private static List<String> values(ReadResult read) {
        List<String> values = new ArrayList<>();
        for (MutableRecordBatch batch : read.records().batches()) {
            if (batch.isControlBatch()) {
                continue;
            }
            for (Record record : batch) {
                values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
            }
        }
        return values;
    }
}
