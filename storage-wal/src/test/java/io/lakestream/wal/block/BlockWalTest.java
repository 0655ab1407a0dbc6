package io.lakestream.wal.block;

import static io.lakestream.wal.block.WalTestSupport.drain;
import static io.lakestream.wal.block.WalTestSupport.fileOffset;
import static io.lakestream.wal.block.WalTestSupport.flipBit;
import static io.lakestream.wal.block.WalTestSupport.payload;
import static io.lakestream.wal.block.WalTestSupport.readHeaderSlot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.wal.WalException;
import io.lakestream.wal.WalListener;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.block.WalTestSupport.Appended;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockWalTest {

    /** Room for the 256 groups of one small record (a block each) that some tests append. */
    private static final long CAPACITY = 1024 * 1024;

    @TempDir
    Path directory;

    private Path path;
    private BlockWalConfig config;
    private final List<BlockWal> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        path = directory.resolve("wal");
        config = BlockWalConfig.builder(path, CAPACITY).maxBatchBytes(8 * 1024).build();
    }

    @AfterEach
    void closeAll() throws IOException {
        for (BlockWal wal : opened) {
            wal.close();
        }
    }

    @Test
    void appendedRecordsAreRecoveredByteForByteInOrderAfterReopen() throws Exception {
        BlockWal wal = openRecovered(config);
        List<Appended> appended = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            appended.add(append(wal, payload(i, i * 13 % 700)));
        }
        wal.close();

        assertThat(appended).extracting(Appended::position).as("positions must grow").isSorted();
        assertThat(reopenAndRecover(config)).as("recovered records").containsExactlyElementsOf(appended);
    }

    @Test
    void recoversOnlyUntrimmedRecordsAfterManyLapsWithTrimsAndReopens() throws Exception {
        // 16 blocks: room for the nine records (a group each) kept before a trim.
        BlockWalConfig small = BlockWalConfig.builder(path, 64 * 1024).maxBatchBytes(4 * 1024).build();
        SplittableRandom random = new SplittableRandom(42);
        Deque<Appended> untrimmed = new ArrayDeque<>();
        BlockWal wal = openRecovered(small);
        long laps = 0;
        int seed = 0;
        while (laps < 30) {
            Appended record = append(wal, payload(seed++, random.nextInt(1, 1500)));
            untrimmed.add(record);
            if (untrimmed.size() > 8) {
                while (untrimmed.size() > 4) {
                    untrimmed.poll();
                }
                wal.trim(untrimmed.peek().position()).get();
            }
            long lap = record.position() / small.capacityBytes();
            if (lap > laps) {
                laps = lap;
                if (lap % 5 == 0) {
                    wal.close();
                    assertThat(reopenAndRecover(small)).as("recovered after lap %d", lap)
                            .containsExactlyElementsOf(untrimmed);
                    wal = opened.get(opened.size() - 1);
                }
            }
        }
        wal.close();

        assertThat(reopenAndRecover(small)).as("recovered after %d laps", laps).containsExactlyElementsOf(untrimmed);
    }

    @Test
    void validRecordsLeftFromEarlierLapsAreNotRecoveredAfterTrimToTheEnd() throws Exception {
        BlockWal wal = openRecovered(config);
        Appended last = null;
        for (int i = 0; last == null || last.position() < 3 * CAPACITY; i++) {
            last = append(wal, payload(i, 1000));
            wal.trim(last.position()).get();
        }
        wal.trim(Long.MAX_VALUE).get();
        wal.close();

        BlockWal reopened = open(config);
        assertThat(drain(reopened.recover())).as("records recovered after trimming everything").isEmpty();
        Appended next = append(reopened, payload(-1, 10));
        assertThat(next.position()).as("position of the first append after reopening")
                .isEqualTo(WalFile.alignUp(last.nextPosition()));
    }

    @Test
    void trimPointSurvivesReopen() throws Exception {
        BlockWal wal = openRecovered(config);
        List<Appended> appended = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            appended.add(append(wal, payload(i, 100)));
        }
        wal.trim(appended.get(6).position()).get();
        wal.close();

        assertThat(reopenAndRecover(config)).as("recovered records after trimming to the 7th")
                .containsExactlyElementsOf(appended.subList(6, 10));
    }

    @Test
    void appendWaitsForTrimWhenFullThenSucceeds() throws Exception {
        BlockWalConfig tiny = BlockWalConfig.builder(path, 8192).maxBatchBytes(4096).build();
        BlockWal wal = openRecovered(tiny);
        List<Appended> appended = fill(wal, tiny);

        CompletableFuture<AppendResult> blocked = wal.append(ByteBuffer.wrap(payload(99, 1000)));
        assertThatThrownBy(() -> blocked.get(200, TimeUnit.MILLISECONDS))
                .as("an append to a full WAL must wait for trim")
                .isInstanceOf(TimeoutException.class);

        wal.trim(appended.get(1).position()).get();
        AppendResult result = blocked.get(10, TimeUnit.SECONDS);
        assertThat(result.position()).as("position of the append that waited for trim")
                .isGreaterThanOrEqualTo(appended.get(appended.size() - 1).nextPosition());
    }

    @Test
    void appendFailsWithWalFullErrorWhenNoTrimComesInTime() throws Exception {
        BlockWalConfig tiny = BlockWalConfig.builder(path, 8192).maxBatchBytes(4096)
                .appendTimeout(Duration.ofMillis(100)).build();
        BlockWal wal = openRecovered(tiny);
        List<Appended> appended = fill(wal, tiny);

        assertThatThrownBy(() -> wal.append(ByteBuffer.wrap(payload(99, 1000))).join())
                .hasCauseInstanceOf(WalException.class)
                .hasMessageContaining("WAL full: " + path)
                .hasMessageContaining("capacity 8192 bytes")
                .hasMessageContaining("of which 8192 are used");
        // The failed append took no space: once the first group is trimmed, the next goes at the end.
        wal.trim(appended.get(1).position()).get();
        assertThat(append(wal, payload(100, 3)).position()).as("position after a failed append").isEqualTo(8192);
    }

    @Test
    void failFastAppendFailsAtOnceWhenFull() throws Exception {
        BlockWalConfig tiny = BlockWalConfig.builder(path, 8192).maxBatchBytes(4096).failFastWhenFull().build();
        BlockWal wal = openRecovered(tiny);
        fill(wal, tiny);

        assertThatThrownBy(() -> wal.append(ByteBuffer.wrap(payload(99, 1000))).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("WAL full");
    }

    @Test
    void recordLargerThanTheCapacityFailsAtOnce() throws Exception {
        BlockWal wal = openRecovered(config);

        CompletableFuture<AppendResult> tooLarge = wal.append(ByteBuffer.allocate((int) CAPACITY + 1));

        assertThat(tooLarge).as("append of a record larger than the WAL").isCompletedExceptionally();
        assertThatThrownBy(tooLarge::join).hasCauseInstanceOf(WalException.class)
                .hasMessageContaining("record of " + (CAPACITY + 1) + " bytes is too large for WAL " + path)
                .hasMessageContaining("capacity " + CAPACITY);
        assertThat(wal.append(ByteBuffer.allocate(config.maxRecordBytes() + 1)))
                .as("append of a record one byte over the limit").isCompletedExceptionally();
        assertThat(append(wal, new byte[config.maxRecordBytes()]).position())
                .as("position of the largest record allowed").isZero();
    }

    @Test
    void concurrentAppendsShareFsyncsAndCompleteInPositionOrder() throws Exception {
        AtomicInteger fsyncs = new AtomicInteger();
        AtomicInteger durableRecords = new AtomicInteger();
        WalListener counting = new WalListener() {
            @Override
            public void onFsync(long nanos, int records, long bytes) {
                fsyncs.incrementAndGet();
                durableRecords.addAndGet(records);
            }
        };
        BlockWalConfig large = BlockWalConfig.builder(path, 4 * 1024 * 1024).build();
        BlockWal wal = BlockWal.open(large, counting);
        opened.add(wal);
        wal.recover();
        int threads = 8;
        int appendsPerThread = 200;
        List<Long> completionOrder = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService appenders = Executors.newFixedThreadPool(threads);
        // The callbacks, not the appends: a callback may still be running when its append's
        // future (and so allOf over the appends) has completed.
        List<CompletableFuture<Void>> callbacks = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int thread = t;
            appenders.execute(() -> {
                awaitUninterruptibly(start);
                for (int i = 0; i < appendsPerThread; i++) {
                    CompletableFuture<AppendResult> future =
                            wal.append(ByteBuffer.wrap(payload(thread * 1000L + i, 100 + i)));
                    callbacks.add(future.thenAccept(result -> {
                        // A future already complete runs this on the appender: only the
                        // writer thread's completions show the order the WAL chose.
                        if (Thread.currentThread().getName().startsWith("lakestream-wal-writer")) {
                            completionOrder.add(result.position());
                        }
                    }));
                }
            });
        }
        start.countDown();
        appenders.shutdown();
        assertThat(appenders.awaitTermination(30, TimeUnit.SECONDS)).as("appenders finished").isTrue();
        CompletableFuture.allOf(callbacks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        int appends = threads * appendsPerThread;
        assertThat(durableRecords.get()).as("records reported durable").isEqualTo(appends);
        assertThat(fsyncs.get()).as("fsyncs for %d concurrent appends", appends).isLessThan(appends);
        assertThat(completionOrder).as("positions in completion order").isNotEmpty().isSorted();
        wal.close();
        assertThat(reopenAndRecover(large)).as("recovered records").hasSize(appends);
    }

    @Test
    void closeWritesPendingAppendsAndFailsLaterOnes() throws Exception {
        BlockWal wal = openRecovered(config);
        List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pending.add(wal.append(ByteBuffer.wrap(payload(i, 200))));
        }
        wal.close();

        assertThat(pending).as("appends made before close").allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThatThrownBy(() -> wal.append(ByteBuffer.wrap(payload(0, 1))).join())
                .hasCauseInstanceOf(WalException.class).hasMessageContaining("WAL " + path + " is closed");
        assertThatThrownBy(() -> wal.trim(0).join()).hasMessageContaining("is closed");
        assertThat(reopenAndRecover(config)).as("records recovered after close").hasSize(50);
    }

    @Test
    void closeFailsAnAppendStillWaitingForTrim() throws Exception {
        BlockWalConfig tiny = BlockWalConfig.builder(path, 8192).maxBatchBytes(4096).build();
        BlockWal wal = openRecovered(tiny);
        fill(wal, tiny);
        CompletableFuture<AppendResult> blocked = wal.append(ByteBuffer.wrap(payload(99, 1000)));

        wal.close();

        assertThat(blocked).as("append waiting for trim when the WAL closed").isCompletedExceptionally();
        assertThatThrownBy(blocked::join).hasMessageContaining("WAL full")
                .hasMessageContaining("closed while the append waited for trim");
    }

    @Test
    void appendBeforeRecoverIsRejected() throws Exception {
        BlockWal wal = open(config);

        assertThatThrownBy(() -> wal.append(ByteBuffer.allocate(1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before recover()");
    }

    @Test
    void trimToAPositionInsideARecordFails() throws Exception {
        BlockWal wal = openRecovered(config);
        Appended first = append(wal, payload(1, 100));
        append(wal, payload(2, 100));

        assertThatThrownBy(() -> wal.trim(first.position() + 1).join())
                .hasCauseInstanceOf(WalException.class).hasMessageContaining("no record starts there");
    }

    @Test
    void recoveryStopsBeforeARecordWithAFlippedBit() throws Exception {
        List<Appended> appended = appendAndClose(10, 300);
        Appended damaged = appended.get(6);
        flipBit(path, fileOffset(config, damaged.position()) + WalFrame.PAYLOAD_OFFSET + 123, 3);

        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).as("records recovered before the damaged 7th")
                .containsExactlyElementsOf(appended.subList(0, 6));
        assertThat(append(wal, payload(77, 10)).position()).as("position of the next append")
                .isEqualTo(damaged.position());
    }

    @Test
    void recoveryStopsBeforeARecordWithACorruptLength() throws Exception {
        List<Appended> appended = appendAndClose(10, 300);
        flipBit(path, fileOffset(config, appended.get(3).position()) + WalFrame.LENGTH_OFFSET, 6);

        assertThat(reopenAndRecover(config)).as("records recovered before the 4th")
                .containsExactlyElementsOf(appended.subList(0, 3));
    }

    @Test
    void recoveryCutsATruncatedTail() throws Exception {
        List<Appended> appended = appendAndClose(10, 300);
        Appended torn = appended.get(9);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(fileOffset(config, torn.position()) + WalFrame.HEADER_SIZE + 100);
        }

        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).as("records recovered before the torn 10th")
                .containsExactlyElementsOf(appended.subList(0, 9));
        Appended next = append(wal, payload(77, 500));
        wal.close();
        List<Appended> expected = new ArrayList<>(appended.subList(0, 9));
        expected.add(next);
        assertThat(reopenAndRecover(config)).as("records recovered after appending over the torn tail")
                .containsExactlyElementsOf(expected);
    }

    @Test
    void unacknowledgedRecordBeyondARewrittenTailIsNotResurrected() throws Exception {
        List<Appended> appended = appendAndClose(3, 100);
        flipBit(path, fileOffset(config, appended.get(1).position()) + WalFrame.PAYLOAD_OFFSET, 0);
        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).containsExactly(appended.get(0));
        // Its group, like the damaged record's, ends exactly where the old, intact third one starts.
        Appended replacement = append(wal, payload(55, 100));
        wal.close();

        assertThat(WalFile.alignUp(replacement.nextPosition())).isEqualTo(appended.get(2).position());
        assertThat(reopenAndRecover(config))
                .as("the old third record, written in an earlier session after the damage, must not come back")
                .containsExactly(appended.get(0), replacement);
    }

    @Test
    void aRecordOfAnEarlierSessionAtTheTrimPointIsNotResurrected() throws Exception {
        List<Appended> appended = appendAndClose(3, 100);
        // Recovery ends the log before the first record; the next session appends over it.
        flipBit(path, fileOffset(config, appended.get(0).position()) + WalFrame.PAYLOAD_OFFSET, 0);
        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).as("records before the damaged first one").isEmpty();
        Appended replacement = append(wal, payload(55, 100));
        // Up to the replacement's end: its skip frame ends where the old, intact second record starts.
        wal.trim(replacement.nextPosition()).get();
        wal.close();

        WalHeader slot0 = readHeaderSlot(path, 0);
        WalHeader slot1 = readHeaderSlot(path, 1);
        assertThat((slot0.sequence() > slot1.sequence() ? slot0 : slot1).trimPosition()).as("trim point")
                .isEqualTo(appended.get(1).position());
        assertThat(reopenAndRecover(config))
                .as("records of the earlier session after the trim point must not come back")
                .isEmpty();
    }

    @Test
    void aVersion1LogOfPackedFramesIsRecoveredAndAppendedTo() throws Exception {
        appendAndClose(0, 0); // a log file of this version, then made one of version 1 below
        List<Appended> packed = new ArrayList<>();
        ByteBuffer frames = ByteBuffer.allocate(4 * 1024);
        WalFrame frame = WalFrame.create();
        for (int i = 0; i < 3; i++) {
            byte[] bytes = payload(i, 300 + i);
            long position = frames.position();
            frame.writeRecord(frames, position, 1, ByteBuffer.wrap(bytes));
            packed.add(new Appended(position, frames.position(), bytes));
        }
        ByteBuffer header = new WalHeader(CAPACITY, 10, 1, 0, 0).encode().limit(WalHeader.SIZE_PACKED);
        header.putInt(WalHeader.FORMAT_VERSION_OFFSET, WalHeader.FORMAT_VERSION_PACKED);
        CRC32C crc = new CRC32C();
        crc.update(header.duplicate().position(WalHeader.MAGIC_OFFSET));
        header.putInt(WalHeader.CRC_OFFSET, (int) crc.getValue());
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(frames.flip(), fileOffset(config, 0));
            channel.write(header, 0);
        }

        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).as("records of the version 1 log").containsExactlyElementsOf(packed);
        Appended next = append(wal, payload(9, 100));
        wal.close();

        assertThat(next.position()).as("position of the first append, right after the packed frames")
                .isEqualTo(packed.get(2).nextPosition());
        List<Appended> expected = new ArrayList<>(packed);
        expected.add(next);
        assertThat(reopenAndRecover(config)).as("records after appending to it").containsExactlyElementsOf(expected);
    }

    @Test
    void everyGroupStartsOnABlockBoundary() throws Exception {
        List<Appended> appended = appendAndClose(3, 100);

        assertThat(appended).extracting(Appended::position).as("positions of records appended one by one")
                .containsExactly(0L, (long) WalFile.BLOCK_SIZE, 2L * WalFile.BLOCK_SIZE);
        assertThat(reopenAndRecover(config)).as("records recovered across the skip frames")
                .containsExactlyElementsOf(appended);
    }

    @Test
    void aLogCutInsideABlockKeepsThatBlocksRecordsWhenTheNextGroupRewritesIt() throws Exception {
        List<Appended> appended = appendAndClose(2, 100);
        // Damage the skip frame after the first record: recovery ends the log there, mid-block.
        flipBit(path, fileOffset(config, appended.get(0).nextPosition()) + WalFrame.CRC_OFFSET, 2);
        BlockWal wal = open(config);
        assertThat(drain(wal.recover())).as("records before the damaged skip frame").containsExactly(appended.get(0));

        Appended next = append(wal, payload(77, 300));
        wal.close();

        assertThat(next.position()).as("position of the next append").isEqualTo(appended.get(0).nextPosition());
        assertThat(reopenAndRecover(config)).as("records recovered after the block was written again")
                .containsExactly(appended.get(0), next);
    }

    @Test
    void trimmingToTheEndOfAGroupsLastRecordFreesItsSkipFrameToo() throws Exception {
        BlockWalConfig tiny = BlockWalConfig.builder(path, 8192).maxBatchBytes(4096).failFastWhenFull().build();
        BlockWal wal = openRecovered(tiny);
        // Ends 10 bytes before a block boundary: too close for a skip frame, so the group's skip
        // frame fills the next block too, and the group takes the whole log.
        Appended first = append(wal, payload(1, WalFile.BLOCK_SIZE - 10 - WalFrame.HEADER_SIZE));

        wal.trim(first.nextPosition()).get();

        assertThat(append(wal, new byte[tiny.maxRecordBytes()]).position())
                .as("position of the largest record, which fits only if the skip frame was trimmed too")
                .isEqualTo(8192);
    }

    @Test
    void corruptCurrentHeaderSlotFallsBackToTheOtherSlot() throws Exception {
        BlockWal wal = openRecovered(config);
        List<Appended> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            appended.add(append(wal, payload(i, 100)));
        }
        wal.trim(appended.get(2).position()).get();
        wal.close();
        int current = readHeaderSlot(path, 0).sequence() > readHeaderSlot(path, 1).sequence() ? 0 : 1;
        WalHeader previous = readHeaderSlot(path, 1 - current);
        flipBit(path, (long) current * WalFile.HEADER_SLOT_SIZE + WalHeader.TRIM_POSITION_OFFSET, 1);

        List<Appended> recovered = reopenAndRecover(config);

        assertThat(recovered).as("records recovered from the previous header's trim point %d",
                        previous.trimPosition())
                .containsExactlyElementsOf(appended.subList(0, 5).stream()
                        .filter(r -> r.position() >= previous.trimPosition()).toList());
    }

    @Test
    void openFailsClearlyWhenBothHeaderSlotsAreCorrupt() throws Exception {
        appendAndClose(3, 100);
        flipBit(path, WalHeader.MAGIC_OFFSET, 0);
        flipBit(path, WalFile.HEADER_SLOT_SIZE + WalHeader.CAPACITY_OFFSET, 0);

        assertThatThrownBy(() -> BlockWal.open(config))
                .isInstanceOf(WalException.class)
                .hasMessageContaining("WAL " + path + " has no valid header")
                .hasMessageContaining("slot 0: CRC mismatch");
    }

    @Test
    void openFailsClearlyWhenTheCapacityDiffers() throws Exception {
        appendAndClose(1, 10);

        assertThatThrownBy(() -> BlockWal.open(BlockWalConfig.builder(path, 2 * CAPACITY).build()))
                .isInstanceOf(WalException.class)
                .hasMessageContaining("created with capacity " + CAPACITY + " bytes but is configured with "
                        + 2 * CAPACITY);
    }

    private List<Appended> appendAndClose(int count, int size) throws Exception {
        BlockWal wal = openRecovered(config);
        List<Appended> appended = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            appended.add(append(wal, payload(i, size)));
        }
        wal.close();
        return appended;
    }

    /** Appends 1000-byte records, one group and so one block each, until the next one would not fit. */
    private List<Appended> fill(BlockWal wal, BlockWalConfig walConfig) throws Exception {
        List<Appended> appended = new ArrayList<>();
        long groupSize = WalFile.alignUp(WalFrame.frameSize(1000));
        for (int i = 0; (i + 1) * groupSize <= walConfig.capacityBytes(); i++) {
            appended.add(append(wal, payload(i, 1000)));
        }
        return appended;
    }

    private BlockWal open(BlockWalConfig walConfig) throws IOException {
        BlockWal wal = BlockWal.open(walConfig);
        opened.add(wal);
        return wal;
    }

    private BlockWal openRecovered(BlockWalConfig walConfig) throws IOException {
        BlockWal wal = open(walConfig);
        assertThat(drain(wal.recover())).as("records in a new WAL").isEmpty();
        return wal;
    }

    private List<Appended> reopenAndRecover(BlockWalConfig walConfig) throws IOException {
        return drain(open(walConfig).recover());
    }

    private static Appended append(BlockWal wal, byte[] payload) throws Exception {
        try {
            return Appended.of(wal.append(ByteBuffer.wrap(payload)).get(10, TimeUnit.SECONDS), payload);
        } catch (ExecutionException e) {
            throw new AssertionError("append of " + payload.length + " bytes failed", e.getCause());
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new CompletionException(e);
        }
    }
}
