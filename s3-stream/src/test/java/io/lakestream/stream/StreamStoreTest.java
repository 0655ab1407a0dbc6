package io.lakestream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.lakestream.stream.metadata.StreamState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream layer's write path, upload and recovery, on an in-memory log and object store.
 * Reads from objects are covered with a real S3 server in {@code StreamModelTest}.
 */
class StreamStoreTest {
    private static final int NODE = 7;
    /** Fails the test if a read reaches the object store: these reads must hit the log cache. */
    private static final BatchReader NO_COLD_READS = (stream, start, end, max) -> CompletableFuture.failedFuture(
        new AssertionError("read of stream " + stream + " at " + start + " missed the log cache"));

    private final InMemoryStreamMetadata metadata = new InMemoryStreamMetadata();
    private final MemoryObjectStorage storage = new MemoryObjectStorage();
    private final List<StreamStore> stores = new ArrayList<>();
    private StreamStoreConfig config = StreamStoreConfig.builder(NODE).uploadInterval(Duration.ofHours(1)).build();

    @AfterEach
    void closeStores() throws Exception {
        for (StreamStore store : stores) {
            store.close();
        }
    }

    @Test
    void appendedBatchesAreReadBackFromTheLogCache() {
        StreamStore store = start(new MemoryWal());
        Stream stream = createAndOpen(store);

        stream.append(0, 3, utf8("a")).join();
        stream.append(3, 2, utf8("b")).join();

        assertThat(stream.confirmOffset()).isEqualTo(5);
        assertThat(stream.fetch(4, 5, 1 << 20).join()).extracting(b -> text(b.payload())).containsExactly("b");
        assertThat(stream.fetch(0, 5, 1 << 20).join()).extracting(b -> text(b.payload())).containsExactly("a", "b");
        assertThat(stream.fetch(5, 10, 1 << 20).join()).as("at the confirm offset").isEmpty();
    }

    @Test
    void appendAtTheWrongOffsetIsRefusedAndChangesNothing() {
        StreamStore store = start(new MemoryWal());
        Stream stream = createAndOpen(store);
        stream.append(0, 3, utf8("a")).join();

        assertStreamError(stream.append(4, 1, utf8("gap")), StreamException.Reason.OFFSET_MISMATCH);
        assertStreamError(stream.append(2, 1, utf8("overlap")), StreamException.Reason.OFFSET_MISMATCH);
        assertThat(stream.nextOffset()).isEqualTo(3);
        assertStreamError(stream.fetch(4, 10, 100), StreamException.Reason.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void oneUploadWritesOneStreamSetObjectForManyStreamsThenTrimsTheLog() {
        MemoryWal wal = new MemoryWal();
        StreamStore store = start(wal);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Stream stream = createAndOpen(store);
            stream.append(0, 1, utf8("s" + i)).join();
            streams.add(stream);
        }

        store.uploadNow().join();

        assertThat(storage.puts.get()).as("one PUT for 50 streams").isEqualTo(1);
        assertThat(wal.untrimmedRecords()).as("the log is trimmed after the commit").isZero();
        for (Stream stream : streams) {
            assertThat(metadata.getObjects(stream.streamId(), 0, -1, 10).join())
                .extracting(ObjectRange::type).containsExactly(ObjectType.STREAM_SET);
            assertThat(metadata.describeStream(stream.streamId()).join().endOffset()).isEqualTo(1);
        }
    }

    @Test
    void aStreamWithManyBytesInOneUploadGetsItsOwnStreamObject() {
        config = config.toBuilder().streamObjectThresholdBytes(64 << 10).build();
        StreamStore store = start(new MemoryWal());
        Stream big = createAndOpen(store);
        Stream small = createAndOpen(store);
        for (int i = 0; i < 10; i++) {
            big.append(i, 1, ByteBuffer.wrap(new byte[10 << 10])).join();
        }
        small.append(0, 1, utf8("x")).join();

        store.uploadNow().join();

        assertThat(storage.puts.get()).isEqualTo(2);
        assertThat(metadata.getObjects(big.streamId(), 0, -1, 10).join()).extracting(ObjectRange::type)
            .containsExactly(ObjectType.STREAM);
        assertThat(metadata.getObjects(small.streamId(), 0, -1, 10).join()).extracting(ObjectRange::type)
            .containsExactly(ObjectType.STREAM_SET);
    }

    @Test
    void restartUploadsWhatWasNotCommittedExactlyOnce() throws Exception {
        MemoryWal wal = new MemoryWal();
        StreamStore store = start(wal);
        Stream a = createAndOpen(store);
        Stream b = createAndOpen(store);
        a.append(0, 2, utf8("a0")).join();
        store.uploadNow().join();
        a.append(2, 2, utf8("a2")).join();
        b.append(0, 5, utf8("b0")).join();

        // Crash: the node dies without uploading; a new node process recovers the same log.
        MemoryWal recovered = wal.crashCopy();
        StreamStore restarted = start(recovered);

        assertThat(metadata.describeStream(a.streamId()).join())
            .extracting(StreamState::endOffset, StreamState::open).containsExactly(4L, false);
        assertThat(metadata.describeStream(b.streamId()).join().endOffset()).isEqualTo(5);
        assertThat(metadata.getObjects(a.streamId(), 0, -1, 10).join())
            .extracting(ObjectRange::startOffset, ObjectRange::endOffset)
            .as("a's first batch was committed before the crash and is not committed again")
            .containsExactly(tuple(0L, 2L), tuple(2L, 4L));
        assertThat(recovered.untrimmedRecords()).isZero();

        Stream reopened = restarted.openStream(a.streamId()).join();
        assertThat(reopened.epoch()).isGreaterThan(a.epoch());
        assertThat(reopened.nextOffset()).isEqualTo(4);
    }

    @Test
    void aFencedStreamIsLeftOutOfTheUploadAndOthersStillCommit() {
        StreamStore store = start(new MemoryWal());
        Stream zombie = createAndOpen(store);
        Stream healthy = createAndOpen(store);
        zombie.append(0, 1, utf8("z")).join();
        healthy.append(0, 1, utf8("h")).join();

        metadata.openStream(zombie.streamId(), NODE + 1).join();
        store.uploadNow().join();

        assertThat(metadata.describeStream(zombie.streamId()).join().endOffset()).isZero();
        assertThat(metadata.describeStream(healthy.streamId()).join().endOffset()).isEqualTo(1);
        assertStreamError(zombie.trim(1), StreamException.Reason.FENCED);
    }

    @Test
    void closeUploadsCachedDataAndClosesTheStream() {
        StreamStore store = start(new MemoryWal());
        Stream stream = createAndOpen(store);
        stream.append(0, 1, utf8("x")).join();

        stream.close().join();

        assertThat(metadata.describeStream(stream.streamId()).join())
            .extracting(StreamState::endOffset, StreamState::open).containsExactly(1L, false);
        assertStreamError(stream.append(1, 1, utf8("late")), StreamException.Reason.CLOSED);
    }

    @Test
    void trimMovesTheStartOffsetAndRefusesReadsBelowIt() {
        StreamStore store = start(new MemoryWal());
        Stream stream = createAndOpen(store);
        stream.append(0, 5, utf8("a")).join();
        stream.append(5, 5, utf8("b")).join();
        store.uploadNow().join();

        stream.trim(5).join();

        assertThat(stream.startOffset()).isEqualTo(5);
        assertThat(metadata.describeStream(stream.streamId()).join().startOffset()).isEqualTo(5);
        assertStreamError(stream.fetch(0, 10, 100), StreamException.Reason.OFFSET_OUT_OF_RANGE);
        assertStreamError(stream.trim(11), StreamException.Reason.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void uploadStartsOnItsOwnOnceTheThresholdIsReached() {
        config = config.toBuilder().uploadThresholdBytes(1024).build();
        StreamStore store = start(new MemoryWal());
        Stream stream = createAndOpen(store);
        stream.append(0, 1, utf8("small")).join();
        assertThat(store.doUploadWork(System.currentTimeMillis())).as("below the threshold, interval not due")
            .isZero();

        stream.append(1, 1, ByteBuffer.wrap(new byte[2048])).join();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(metadata.describeStream(stream.streamId()).join().endOffset()).isEqualTo(2));
    }

    @Test
    void aFetchTheLogCacheCannotServeIsCountedAndTimedAsAReadFromObjects() {
        config = config.toBuilder().uploadThresholdBytes(16 << 10).logCacheCapacityBytes(64 << 10).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BatchReader objects = (stream, start, end, max) -> CompletableFuture.completedFuture(List.of());
        StreamStore store = new StreamStore(config, new MemoryWal(), storage, metadata, objects, registry);
        stores.add(store);
        store.start().join();
        Stream stream = createAndOpen(store);
        for (int i = 0; i < 20; i++) {
            stream.append(i, 1, ByteBuffer.wrap(new byte[10 << 10])).join();
        }
        store.uploadNow().join();

        stream.fetch(0, 1, 1 << 20).join();
        stream.fetch(19, 20, 1 << 20).join();

        assertThat(registry.get("lakestream.stream.fetch").tag("source", "objects").counter().count()).isEqualTo(1);
        assertThat(registry.get("lakestream.stream.fetch").tag("source", "log_cache").counter().count()).isEqualTo(1);
        assertThat(registry.get("lakestream.stream.fetch.objects.latency").timer().count()).isEqualTo(1);
    }

    private StreamStore start(MemoryWal wal) {
        StreamStore store = new StreamStore(config, wal, storage, metadata, NO_COLD_READS, new SimpleMeterRegistry());
        stores.add(store);
        store.start().join();
        return store;
    }

    private static Stream createAndOpen(StreamStore store) {
        return store.openStream(store.createStream().join()).join();
    }

    private static void assertStreamError(CompletableFuture<?> future, StreamException.Reason reason) {
        assertThatThrownBy(future::join)
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOfSatisfying(StreamException.class, e -> assertThat(e.reason()).as(e.getMessage())
                .isEqualTo(reason));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }
}
