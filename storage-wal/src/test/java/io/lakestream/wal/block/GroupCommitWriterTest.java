package io.lakestream.wal.block;

import static io.lakestream.wal.block.WalTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.wal.WalListener;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.block.RequestQueue.PendingAppend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steps the writer one duty cycle at a time, so the groups it forms are deterministic. */
class GroupCommitWriterTest {

    private static final long CAPACITY = 64 * 1024;
    /** Two blocks: a group starting a block before the end of a lap can wrap. */
    private static final int MAX_BATCH_BYTES = 8192;

    @TempDir
    Path directory;

    private WalFile file;
    private final RequestQueue requests = new RequestQueue();
    private final List<Integer> groupSizes = new ArrayList<>();
    private GroupCommitWriter writer;

    @BeforeEach
    void setUp() throws IOException {
        file = WalFile.openOrCreate(directory.resolve("wal"), CAPACITY);
        WalListener recordingGroups = new WalListener() {
            @Override
            public void onFsync(long nanos, int records, long bytes) {
                groupSizes.add(records);
            }
        };
        writer = new GroupCommitWriter(file, requests, recordingGroups, MAX_BATCH_BYTES, 0);
    }

    @AfterEach
    void tearDown() throws IOException {
        file.close();
    }

    @Test
    void appendsQueuedMeanwhileAreWrittenAsOneGroupWithOneFsync() throws Exception {
        List<CompletableFuture<AppendResult>> futures = queueAppends(10, 100);

        writer.runOnce();

        assertThat(groupSizes).as("records per fsync").containsExactly(10);
        long expected = 0;
        for (CompletableFuture<AppendResult> future : futures) {
            assertThat(future.getNow(null)).as("result of an append in the group")
                    .isEqualTo(new AppendResult(expected, expected + WalFrame.frameSize(100)));
            expected += WalFrame.frameSize(100);
        }
    }

    @Test
    void aGroupStopsAtMaxBatchBytes() throws Exception {
        int perGroup = MAX_BATCH_BYTES / WalFrame.frameSize(1000);
        List<CompletableFuture<AppendResult>> futures = queueAppends(2 * perGroup + 2, 1000);

        writer.runOnce();
        assertThat(futures).as("appends done after one cycle")
                .filteredOn(CompletableFuture::isDone).hasSize(perGroup);
        writer.runOnce();
        writer.runOnce();

        assertThat(groupSizes).as("records per fsync").containsExactly(perGroup, perGroup, 2);
        assertThat(futures).as("appends done after three cycles").allMatch(CompletableFuture::isDone);
    }

    @Test
    void aGroupThatWrapsPadsTheLapAndContinuesAtTheStartOfTheFile() throws Exception {
        // Fill the first lap up to one block before its end, a block per group, then trim everything.
        long lastBlock = CAPACITY - WalFile.BLOCK_SIZE;
        for (long filled = 0; filled < lastBlock; filled += WalFile.BLOCK_SIZE) {
            queueAppends(1, WalFile.BLOCK_SIZE - WalFrame.HEADER_SIZE);
            writer.runOnce();
        }
        requests.offer(new RequestQueue.PendingTrim(lastBlock, new CompletableFuture<>()));
        List<CompletableFuture<AppendResult>> futures = queueAppends(1, 3000);
        futures.addAll(queueAppends(2, 1500));

        writer.runOnce();

        assertThat(groupSizes.get(groupSizes.size() - 1)).as("records in the wrapping group").isEqualTo(3);
        long second = CAPACITY;
        long third = second + WalFrame.frameSize(1500);
        assertThat(futures).extracting(future -> future.getNow(null).position())
                .as("positions: the first record in the lap's last block, the others at the start of the next lap")
                .containsExactly(lastBlock, second, third);
        assertThat(queueAppendAndWrite(100)).as("position of the next group")
                .isEqualTo(WalFile.alignUp(third + WalFrame.frameSize(1500)));
        assertThat(recoveredPositions(lastBlock)).as("positions recovered across the wrap")
                .containsExactly(lastBlock, second, third, WalFile.alignUp(third + WalFrame.frameSize(1500)));
    }

    @Test
    void everyGroupStartsOnABlockBoundary() throws Exception {
        long first = queueAppendAndWrite(100);
        long second = queueAppendAndWrite(WalFile.BLOCK_SIZE);
        // Ends 10 bytes before a block boundary: too close for a skip frame, so the next group
        // starts a block later.
        long third = queueAppendAndWrite(WalFile.BLOCK_SIZE - 10 - WalFrame.HEADER_SIZE);
        long fourth = queueAppendAndWrite(1);

        assertThat(List.of(first, second, third, fourth)).as("positions of groups of one record")
                .containsExactly(0L, 4096L, 3 * 4096L, 5 * 4096L);
        assertThat(recoveredPositions(0)).as("positions recovered across the skip frames")
                .containsExactly(first, second, third, fourth);
    }

    /** Queues one append, writes it as a group of its own, and returns its position. */
    private long queueAppendAndWrite(int size) throws Exception {
        CompletableFuture<AppendResult> future = queueAppends(1, size).get(0);
        writer.runOnce();
        return future.getNow(null).position();
    }

    private List<Long> recoveredPositions(long from) throws IOException {
        FrameScanner scanner = new FrameScanner(file, from, Integer.MIN_VALUE);
        List<Long> recovered = new ArrayList<>();
        for (var record = scanner.next(); record != null; record = scanner.next()) {
            recovered.add(record.position());
        }
        return recovered;
    }

    private List<CompletableFuture<AppendResult>> queueAppends(int count, int size) {
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CompletableFuture<AppendResult> future = new CompletableFuture<>();
            long now = System.nanoTime();
            requests.offer(new PendingAppend(ByteBuffer.wrap(payload(i, size)), now, now, future));
            futures.add(future);
        }
        return futures;
    }
}
