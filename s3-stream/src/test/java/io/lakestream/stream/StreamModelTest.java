package io.lakestream.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.compaction.ObjectCleaner;
import io.lakestream.stream.compaction.StreamObjectCompactor;
import io.lakestream.stream.compaction.StreamSetObjectCompactor;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.testing.S3ProxyServer;
import io.lakestream.stream.wal.ObjectWal;
import io.lakestream.stream.wal.ObjectWalConfig;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random sequences of append, fetch, trim, upload, cache eviction, compaction and crash
 * restarts against real parts (a block WAL on disk or an object WAL, an S3 server), compared
 * after every step with a plain in-memory list of batches per stream.
 */
class StreamModelTest {
    private static final int STREAMS = 4;
    private static final int STEPS = 300;
    private static final int NODE = 1;

    @TempDir
    Path dir;

    private S3ProxyServer s3;
    private ObjectStorage storage;
    private StreamMetadata metadata;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private StreamStoreConfig config;
    private StreamStore store;
    private final Map<Long, Stream> streams = new TreeMap<>();
    private final Map<Long, ModelStream> model = new HashMap<>();
    private WalKind walKind;

    /** The write-ahead log under test: a block file on disk, or objects in the S3 server. */
    enum WalKind { BLOCK, OBJECT }

    @BeforeEach
    void startS3() {
        s3 = S3ProxyServer.start();
        storage = new S3ObjectStorage(s3.config(), registry);
        metadata = createMetadata(dir.resolve("metadata"));
    }

    /** The metadata the streams run on: in memory here, a real controller in tests/. */
    protected StreamMetadata createMetadata(Path dir) {
        return new InMemoryStreamMetadata();
    }

    @AfterEach
    void stopStore() throws IOException {
        try {
            if (store != null) {
                store.close();
            }
            storage.close();
            s3.close();
        } finally {
            closeMetadata();
        }
    }

    /** Stops what {@link #createMetadata} started, after the store is closed. */
    protected void closeMetadata() {
    }

    @ParameterizedTest(name = "seed {0}, upload interval {1} ms, {2} WAL")
    @CsvSource({"1, 3600000, BLOCK", "2, 3600000, BLOCK", "3, 3600000, BLOCK", "4, 20, BLOCK",
        "5, 3600000, OBJECT", "6, 20, OBJECT"})
    void streamsBehaveLikeAListOfBatches(long seed, long uploadIntervalMillis, WalKind walKind) throws IOException {
        this.walKind = walKind;
        Random random = new Random(seed);
        config = StreamStoreConfig.builder(NODE)
            .uploadInterval(Duration.ofMillis(uploadIntervalMillis))
            .uploadThresholdBytes(256 << 10)
            .streamObjectThresholdBytes(128 << 10)
            .objectBlockSizeBytes(16 << 10)
            .logCacheCapacityBytes(1 << 20)
            .blockCacheCapacityBytes(512 << 10)
            .build();
        startStore();
        for (int i = 0; i < STREAMS; i++) {
            long id = store.createStream().join();
            model.put(id, new ModelStream());
            streams.put(id, store.openStream(id).join());
        }

        StreamSetObjectCompactor streamSetCompactor = new StreamSetObjectCompactor(config, metadata, storage, registry);
        StreamObjectCompactor streamObjectCompactor = new StreamObjectCompactor(config, metadata, storage, registry);
        ObjectCleaner cleaner = new ObjectCleaner(metadata, storage, registry);
        List<String> history = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            long streamId = pick(random);
            int dice = random.nextInt(100);
            if (dice < 40) {
                history.add("append " + streamId);
                append(streamId, random);
            } else if (dice < 70) {
                history.add("fetch " + streamId);
                checkRandomFetch(streamId, random, history);
            } else if (dice < 75) {
                ModelStream expected = model.get(streamId);
                long newStart = expected.start + (long) (random.nextDouble() * (expected.end - expected.start) / 2);
                history.add("trim " + streamId + " to " + newStart);
                streams.get(streamId).trim(newStart).join();
                expected.trim(newStart);
            } else if (dice < 85) {
                history.add("upload");
                store.uploadNow().join();
            } else if (dice < 90) {
                history.add("clear log cache");
                store.uploadNow().join();
                store.clearLogCache();
            } else if (dice < 96) {
                history.add("compact");
                streamSetCompactor.compact().join();
                for (long id : streams.keySet()) {
                    streamObjectCompactor.compact(id).join();
                }
                cleaner.clean().join();
            } else {
                history.add("crash and restart");
                crashAndRestart();
            }
        }
        for (long id : streams.keySet()) {
            checkWholeStream(id, history);
        }
        store.uploadNow().join();
        store.clearLogCache();
        for (long id : streams.keySet()) {
            checkWholeStream(id, history);
        }
    }

    private void append(long streamId, Random random) {
        Stream stream = streams.get(streamId);
        int count = 1 + random.nextInt(10);
        byte[] payload = new byte[random.nextInt(4) == 0 ? 20_000 + random.nextInt(40_000) : 1 + random.nextInt(2_000)];
        random.nextBytes(payload);
        long base = stream.nextOffset();
        stream.append(base, count, ByteBuffer.wrap(payload)).join();
        model.get(streamId).append(base, count, payload);

        assertThatThrownBy(() -> stream.append(base, 1, ByteBuffer.wrap(payload)).join())
            .as("a second append at the same offset")
            .isInstanceOf(CompletionException.class)
            .hasCauseInstanceOf(StreamException.class);
    }

    private void checkRandomFetch(long streamId, Random random, List<String> history) {
        ModelStream expected = model.get(streamId);
        Stream stream = streams.get(streamId);
        assertThat(stream.confirmOffset()).isEqualTo(expected.end);
        long start = expected.start + (long) (random.nextDouble() * (expected.end - expected.start + 1));
        long end = random.nextBoolean() ? Long.MAX_VALUE : start + random.nextInt(50);
        int maxBytes = 1 + random.nextInt(100_000);
        List<StreamRecordBatch> batches = stream.fetch(start, end, maxBytes).join();
        expected.check(streamId, start, end, maxBytes, batches, history);
    }

    private void checkWholeStream(long streamId, List<String> history) {
        ModelStream expected = model.get(streamId);
        Stream stream = streams.get(streamId);
        long next = expected.start;
        while (next < expected.end) {
            List<StreamRecordBatch> batches = stream.fetch(next, Long.MAX_VALUE, 256 << 10).join();
            expected.check(streamId, next, Long.MAX_VALUE, 256 << 10, batches, history);
            next = batches.get(batches.size() - 1).endOffset();
        }
    }

    private void crashAndRestart() throws IOException {
        store.halt();
        startStore();
        for (long id : streams.keySet()) {
            Stream reopened = store.openStream(id).join();
            assertThat(reopened.nextOffset()).as("stream %d after restart", id).isEqualTo(model.get(id).end);
            streams.put(id, reopened);
        }
    }

    private void startStore() throws IOException {
        WriteAheadLog wal = walKind == WalKind.BLOCK
            ? BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 8 << 20).build(), new WalMetrics(registry))
            : new ObjectWal(storage, ObjectWalConfig.withPrefix("wal/node-" + NODE + "/"));
        store = new StreamStore(config, wal, storage, metadata, registry);
        store.start().join();
    }

    private long pick(Random random) {
        List<Long> ids = new ArrayList<>(streams.keySet());
        return ids.get(random.nextInt(ids.size()));
    }

    /** What a stream must hold: its batches by base offset, and its start and end. */
    private static final class ModelStream {
        final NavigableMap<Long, byte[]> payloads = new TreeMap<>();
        final Map<Long, Integer> counts = new HashMap<>();
        long start;
        long end;

        void append(long base, int count, byte[] payload) {
            assertThat(base).isEqualTo(end);
            payloads.put(base, payload);
            counts.put(base, count);
            end = base + count;
        }

        void trim(long newStart) {
            start = Math.max(start, newStart);
        }

        void check(long streamId, long start, long end, int maxBytes, List<StreamRecordBatch> batches,
                   List<String> history) {
            String where = "stream " + streamId + " fetch(" + start + ", " + end + ", " + maxBytes + ") after "
                + history.subList(Math.max(0, history.size() - 8), history.size());
            if (start >= Math.min(end, this.end)) {
                assertThat(batches).as(where).isEmpty();
                return;
            }
            assertThat(batches).as(where).isNotEmpty();
            Map.Entry<Long, byte[]> first = payloads.floorEntry(start);
            assertThat(batches.get(0).baseOffset()).as(where + ": first batch").isEqualTo(first.getKey());
            long next = first.getKey();
            long bytes = 0;
            for (int i = 0; i < batches.size(); i++) {
                StreamRecordBatch batch = batches.get(i);
                assertThat(batch.baseOffset()).as(where + ": batch " + i + " is contiguous").isEqualTo(next);
                assertThat(batch.baseOffset()).as(where + ": batch " + i + " before the end").isLessThan(end);
                assertThat(batch.count()).as(where + ": batch " + i + " count").isEqualTo(counts.get(next));
                assertThat(batch.payload()).as(where + ": batch " + i + " payload")
                    .isEqualTo(ByteBuffer.wrap(payloads.get(next)));
                assertThat(bytes).as(where + ": batch " + i + " starts before maxBytes was reached")
                    .isLessThan(Math.max(1, maxBytes));
                bytes += batch.payloadSize();
                next = batch.endOffset();
            }
        }
    }
}
