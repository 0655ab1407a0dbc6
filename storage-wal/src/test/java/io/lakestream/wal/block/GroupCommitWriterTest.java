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
    private static final int MAX_BATCH_BYTES = 4096;

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
        List<CompletableFuture<AppendResult>> futures = queueAppends(10, 1000);
        int perGroup = MAX_BATCH_BYTES / WalFrame.frameSize(1000);

        writer.runOnce();
        assertThat(futures).as("appends done after one cycle")
                .filteredOn(CompletableFuture::isDone).hasSize(perGroup);
        writer.runOnce();
        writer.runOnce();

        assertThat(groupSizes).as("records per fsync").containsExactly(perGroup, perGroup, 10 - 2 * perGroup);
        assertThat(futures).as("appends done after three cycles").allMatch(CompletableFuture::isDone);
    }

    @Test
    void aGroupThatWrapsPadsTheLapAndContinuesAtTheStartOfTheFile() throws Exception {
        // Fill the first lap up to 500 bytes before its end, then trim everything.
        for (long filled = 0; filled < CAPACITY - 500; ) {
            int frameSize = (int) Math.min(MAX_BATCH_BYTES, CAPACITY - 500 - filled);
            queueAppends(1, frameSize - WalFrame.HEADER_SIZE);
            writer.runOnce();
            filled += frameSize;
        }
        requests.offer(new RequestQueue.PendingTrim(CAPACITY - 500, new CompletableFuture<>()));
        List<CompletableFuture<AppendResult>> futures = queueAppends(3, 300);

        writer.runOnce();

        assertThat(groupSizes.get(groupSizes.size() - 1)).as("records in the wrapping group").isEqualTo(3);
        assertThat(futures.get(0).getNow(null).position()).as("first record, before the end of the lap")
                .isEqualTo(CAPACITY - 500);
        assertThat(futures.get(1).getNow(null).position()).as("second record, at the start of the next lap")
                .isEqualTo(CAPACITY);
        FrameScanner scanner = new FrameScanner(file, CAPACITY - 500);
        List<Long> recovered = new ArrayList<>();
        for (var record = scanner.next(); record != null; record = scanner.next()) {
            recovered.add(record.position());
        }
        assertThat(recovered).as("positions recovered across the wrap")
                .containsExactly(CAPACITY - 500, CAPACITY, CAPACITY + WalFrame.frameSize(300));
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
