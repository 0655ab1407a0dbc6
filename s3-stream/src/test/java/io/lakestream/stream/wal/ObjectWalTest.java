package io.lakestream.stream.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.wal.WalException;
import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.WriteAheadLog.WalRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ObjectWal} on {@link S3ObjectStorage} against a real (in-process) S3 server. */
class ObjectWalTest {
    @RegisterExtension
    static final S3ProxyServer S3 = S3ProxyServer.extension();

    private SimpleMeterRegistry registry;
    private ObjectStorage storage;
    private String prefix;
    private final List<ObjectWal> opened = new ArrayList<>();

    @BeforeEach
    void openStorage() {
        registry = new SimpleMeterRegistry();
        storage = new S3ObjectStorage(S3.config(), registry);
        prefix = "wal/" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeAll() throws IOException {
        for (ObjectWal wal : opened) {
            wal.close();
        }
        storage.close();
    }

    @Test
    void appendedRecordsAreRecoveredInOrderWithTheirPositions() throws Exception {
        ObjectWal wal = openRecovered(defaults());
        List<AppendResult> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            appended.add(wal.append(record("record-" + i + "-" + "x".repeat(i * 7))).get(10, TimeUnit.SECONDS));
        }
        wal.close();

        List<WalRecord> recovered = drain(open(defaults()).recover());

        assertThat(recovered).extracting(WalRecord::position).as("recovered positions")
                .containsExactlyElementsOf(appended.stream().map(AppendResult::position).toList());
        assertThat(recovered).extracting(r -> text(r.payload())).as("recovered payloads")
                .containsExactlyElementsOf(IntStream.range(0, 20)
                        .mapToObj(i -> "record-" + i + "-" + "x".repeat(i * 7)).toList());
        assertThat(appended.get(0).position()).as("first position of a new log").isZero();
        for (int i = 1; i < appended.size(); i++) {
            assertThat(appended.get(i).position()).as("record %d starts where record %d ended", i, i - 1)
                    .isEqualTo(appended.get(i - 1).nextPosition());
        }
    }

    @Test
    void concurrentAppendsAreGroupedIntoFewerPutsThanAppends() throws Exception {
        ObjectWal wal = openRecovered(new ObjectWalConfig(prefix, 1, ObjectWalConfig.DEFAULT_MAX_OBJECT_BYTES));
        int threads = 4;
        int perThread = 50;
        ConcurrentLinkedQueue<CompletableFuture<AppendResult>> futures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.execute(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < perThread; i++) {
                        futures.add(wal.append(record("t" + thread + "-" + i)));
                    }
                });
            }
            start.countDown();
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("appending threads finished").isTrue();
            CompletableFuture.allOf(futures.toArray(CompletableFuture<?>[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        long puts = putCount();
        assertThat(puts).as("PUTs for %d appends", threads * perThread).isLessThan(threads * perThread).isPositive();
        assertThat(drain(open(defaults()).recover())).as("records recovered").hasSize(threads * perThread);
    }

    @Test
    void appendFuturesCompleteInPositionOrderWithSeveralPutsInFlight() throws Exception {
        // Small objects so that many groups are in flight at once and finish in any order.
        ObjectWal wal = openRecovered(new ObjectWalConfig(prefix, 4, 64));
        List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<AppendResult> future = wal.append(record("r" + i));
            int index = i;
            List<CompletableFuture<AppendResult>> earlier = List.copyOf(futures);
            future.whenComplete((r, e) -> {
                for (int j = 0; j < earlier.size(); j++) {
                    if (!earlier.get(j).isDone()) {
                        violations.add("append " + index + " completed before append " + j);
                    }
                }
            });
            futures.add(future);
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture<?>[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(violations).as("futures completed out of position order").isEmpty();
        assertThat(putCount()).as("PUTs (several in flight)").isGreaterThan(4);
    }

    @Test
    void trimmedRecordsAreNotRecoveredAndTheirObjectsAreDeleted() throws Exception {
        ObjectWal wal = openRecovered(defaults());
        List<AppendResult> appended = appendOneByOne(wal, 10); // one object each
        wal.trim(appended.get(5).position()).get(10, TimeUnit.SECONDS);
        wal.close();

        assertThat(recordObjects()).as("objects left after trim").hasSize(5);
        List<WalRecord> recovered = drain(open(defaults()).recover());
        assertThat(recovered).extracting(r -> text(r.payload())).as("records recovered after trim")
                .containsExactly("r5", "r6", "r7", "r8", "r9");
    }

    @Test
    void trimPointHidesRecordsEvenIfTheirObjectsWereNotDeleted() throws Exception {
        ObjectWal wal = openRecovered(defaults());
        List<AppendResult> appended = appendOneByOne(wal, 4);
        String firstKey = prefix + String.format("%020d", 0);
        ByteBuffer firstObject = storage.rangeRead(firstKey, 0, objectSize(firstKey)).get();
        wal.trim(appended.get(2).position()).get(10, TimeUnit.SECONDS);
        wal.close();
        // As if the delete after storing the trim point had failed.
        storage.write(firstKey, firstObject).get();

        List<WalRecord> recovered = drain(open(defaults()).recover());

        assertThat(recovered).extracting(r -> text(r.payload())).as("records recovered")
                .containsExactly("r2", "r3");
    }

    @Test
    void trimBackwardsIsANoOpAndTrimPastTheEndIsRejected() throws Exception {
        ObjectWal wal = openRecovered(defaults());
        List<AppendResult> appended = appendOneByOne(wal, 3);
        wal.trim(appended.get(2).position()).get(10, TimeUnit.SECONDS);
        wal.trim(appended.get(0).position()).get(10, TimeUnit.SECONDS);

        assertThatThrownBy(() -> wal.trim(appended.get(2).nextPosition() + 1).get())
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("past the end");
        wal.close();
        assertThat(drain(open(defaults()).recover())).extracting(r -> text(r.payload())).containsExactly("r2");
    }

    @Test
    void damagedObjectEndsRecoveryAndAppendsContinueFromThere() throws Exception {
        ObjectWal wal = openRecovered(defaults());
        List<AppendResult> appended = appendOneByOne(wal, 3);
        wal.close();
        String secondKey = prefix + String.format("%020d", appended.get(1).position());
        flipLastByte(secondKey);

        ObjectWal reopened = open(defaults());
        assertThat(drain(reopened.recover())).extracting(r -> text(r.payload()))
                .as("records before the damaged object").containsExactly("r0");
        assertThat(recordObjects()).as("objects after recovery: the damaged one and later are gone")
                .extracting(ObjectInfo::key).containsExactly(prefix + String.format("%020d", 0));

        AppendResult next = reopened.append(record("after")).get(10, TimeUnit.SECONDS);
        assertThat(next.position()).as("next append position").isEqualTo(appended.get(1).position());
        reopened.close();
        assertThat(drain(open(defaults()).recover())).extracting(r -> text(r.payload()))
                .containsExactly("r0", "after");
    }

    @Test
    void damagedRecordInsideAnObjectKeepsTheIntactRecordsBeforeIt() throws Exception {
        List<ByteBuffer> payloads = List.of(record("a"), record("b"), record("c"));
        ByteBuffer object = WalObjectFormat.encodeObject(0, payloads);
        // Corrupt the CRC of the third frame.
        int third = WalObjectFormat.HEADER_SIZE + 2 * WalObjectFormat.frameSize(1);
        object.put(third, (byte) (object.get(third) ^ 0xFF));
        storage.write(prefix + String.format("%020d", 0), object).get();

        ObjectWal wal = open(defaults());
        assertThat(drain(wal.recover())).extracting(r -> text(r.payload())).containsExactly("a", "b");
        AppendResult next = wal.append(record("d")).get(10, TimeUnit.SECONDS);
        wal.close();

        assertThat(next.position()).as("next append takes the damaged record's position")
                .isEqualTo(2L * WalObjectFormat.frameSize(1));
        assertThat(drain(open(defaults()).recover())).extracting(r -> text(r.payload()))
                .as("after repair and a new append").containsExactly("a", "b", "d");
    }

    @Test
    void truncatedObjectAndObjectsBehindAGapAreNotRecovered() throws Exception {
        ByteBuffer first = WalObjectFormat.encodeObject(0, List.of(record("a"), record("b")));
        first.limit(first.limit() - 1); // truncated in the last frame
        storage.write(prefix + String.format("%020d", 0), first).get();
        // Far beyond the end of the first object: behind a gap.
        storage.write(prefix + String.format("%020d", 1000), WalObjectFormat.encodeObject(1000, List.of(record("z")))).get();

        ObjectWal wal = open(defaults());
        assertThat(drain(wal.recover())).extracting(r -> text(r.payload())).containsExactly("a");
        assertThat(recordObjects()).extracting(ObjectInfo::key).as("objects kept")
                .containsExactly(prefix + String.format("%020d", 0));
    }

    @Test
    void failedPutFailsItsAppendAndEveryLaterOne() throws Exception {
        S3ProxyServer ownServer = S3ProxyServer.start();
        try (S3ObjectStorage ownStorage = new S3ObjectStorage(ownServer.configBuilder().maxRetries(0).build(), registry)) {
            ObjectWal wal = new ObjectWal(ownStorage, defaults());
            opened.add(wal);
            drain(wal.recover());
            wal.append(record("stored")).get(10, TimeUnit.SECONDS);
            ownServer.close(); // the object store goes away

            assertThatThrownBy(() -> wal.append(record("lost")).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(WalException.class)
                    .hasMessageContaining("not durable");
            assertThatThrownBy(() -> wal.append(record("later")).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(WalException.class)
                    .hasMessageContaining("reopen and recover");
        } finally {
            ownServer.close();
        }
    }

    @Test
    void appendBeforeRecoverAndAfterCloseAreRejected() throws Exception {
        ObjectWal wal = open(defaults());
        assertThatThrownBy(() -> wal.append(record("early")).get())
                .hasCauseInstanceOf(WalException.class).hasMessageContaining("before recover");
        drain(wal.recover());
        wal.close();
        assertThatThrownBy(() -> wal.append(record("late")).get())
                .hasCauseInstanceOf(WalException.class).hasMessageContaining("closed");
    }

    private ObjectWalConfig defaults() {
        return ObjectWalConfig.withPrefix(prefix);
    }

    private ObjectWal open(ObjectWalConfig config) {
        ObjectWal wal = new ObjectWal(storage, config);
        opened.add(wal);
        return wal;
    }

    private ObjectWal openRecovered(ObjectWalConfig config) throws IOException {
        ObjectWal wal = open(config);
        assertThat(drain(wal.recover())).as("records in a new log").isEmpty();
        return wal;
    }

    private static List<AppendResult> appendOneByOne(ObjectWal wal, int count) throws Exception {
        List<AppendResult> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            results.add(wal.append(record("r" + i)).get(10, TimeUnit.SECONDS));
        }
        return results;
    }

    private List<ObjectInfo> recordObjects() throws Exception {
        return storage.list(prefix).get().stream().filter(o -> !o.key().endsWith("trim-point")).toList();
    }

    private long objectSize(String key) throws Exception {
        return storage.list(key).get().get(0).size();
    }

    private void flipLastByte(String key) throws Exception {
        long size = objectSize(key);
        ByteBuffer object = storage.rangeRead(key, 0, size).get();
        ByteBuffer copy = ByteBuffer.allocate(object.remaining()).put(object).flip();
        copy.put(copy.limit() - 1, (byte) (copy.get(copy.limit() - 1) ^ 0x01));
        storage.write(key, copy).get();
    }

    private long putCount() {
        return registry.get("lakestream.s3.request").tags("kind", "put", "outcome", "success").timer().count();
    }

    private static List<WalRecord> drain(Iterator<WalRecord> records) {
        List<WalRecord> list = new ArrayList<>();
        records.forEachRemaining(list::add);
        return list;
    }

    private static ByteBuffer record(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer payload) {
        return StandardCharsets.UTF_8.decode(payload.duplicate()).toString();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
