package io.lakestream.stream.cache;

import static io.lakestream.stream.object.TestBatches.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.object.InMemoryObjectStorage;
import io.lakestream.stream.object.InMemoryObjectStorage.RangeRead;
import io.lakestream.stream.object.ObjectFormatException;
import io.lakestream.stream.object.TestBatches;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedStreamReaderTest {
    private static final int PAYLOAD = 100;
    private static final int ENCODED = PAYLOAD + StreamRecordBatch.HEADER_SIZE;
    private static final int BLOCK_SIZE = 4 * ENCODED;

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<ObjectRange> metadata = new CopyOnWriteArrayList<>();
    private final AtomicInteger locates = new AtomicInteger();
    private final ObjectLocator locator = (streamId, startOffset, endOffset, limit) -> CompletableFuture.completedFuture(
        locates.incrementAndGet() > 0 ? metadata.stream()
            .filter(range -> range.streamId() == streamId && range.endOffset() > startOffset
                && (endOffset < 0 || range.startOffset() < endOffset))
            .limit(limit)
            .toList() : List.of());
    private final BlockCache cache = new BlockCache(storage, 64 << 20, 1 << 20, registry);
    private final CachedStreamReader reader =
        new CachedStreamReader(locator, cache, new ReadAheadConfig(2048, 8192), registry);

    @Test
    void readsEveryStreamAcrossManyObjectsExactlyAsWritten() {
        List<List<StreamRecordBatch>> written = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (long objectId = 1; objectId <= 12; objectId++) {
            List<StreamRecordBatch> batches = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                List<StreamRecordBatch> part = stream(s, (objectId - 1) * 40, 20, 2, PAYLOAD + s);
                written.get(s).addAll(part);
                batches.addAll(part);
            }
            upload(objectId, batches);
        }

        for (int s = 0; s < 3; s++) {
            assertThat(read(s, 0, -1, Integer.MAX_VALUE)).as("stream %d read at once", s)
                .containsExactlyElementsOf(written.get(s));
            assertThat(readInPages(s, 1000)).as("stream %d read in pages of 1000 bytes", s)
                .containsExactlyElementsOf(written.get(s));
        }
    }

    @Test
    void readStartingInsideABatchReturnsTheWholeBatchFirst() {
        upload(1, stream(1, 0, 20, 5, PAYLOAD));

        assertThat(read(1, 12, -1, 1)).extracting(StreamRecordBatch::baseOffset).containsExactly(10L);
    }

    @Test
    void readReturnsNoBatchStartingAtOrAfterEndOffset() {
        upload(1, stream(1, 0, 20, 5, PAYLOAD));

        assertThat(read(1, 0, 12, Integer.MAX_VALUE)).extracting(StreamRecordBatch::baseOffset)
            .containsExactly(0L, 5L, 10L);
        assertThat(read(1, 0, 15, Integer.MAX_VALUE)).extracting(StreamRecordBatch::baseOffset)
            .containsExactly(0L, 5L, 10L);
    }

    @Test
    void readStopsBeforeExceedingMaxBytesButReturnsAtLeastOneBatch() {
        upload(1, stream(1, 0, 20, 1, PAYLOAD));

        assertThat(read(1, 0, -1, 250)).as("batches of 100 bytes within 250").hasSize(2);
        assertThat(read(1, 0, -1, 300)).as("batches of 100 bytes within 300").hasSize(3);
        assertThat(read(1, 3, -1, 1)).as("batches when the first alone exceeds maxBytes")
            .extracting(StreamRecordBatch::baseOffset).containsExactly(3L);
    }

    @Test
    void readPastTheUploadedDataReturnsNothing() {
        upload(1, stream(1, 0, 20, 1, PAYLOAD));

        assertThat(read(1, 20, -1, Integer.MAX_VALUE)).isEmpty();
        assertThat(read(2, 0, -1, Integer.MAX_VALUE)).as("a stream with no objects").isEmpty();
    }

    @Test
    void gapBetweenObjectsFailsTheReadInsteadOfSkippingOffsets() {
        upload(1, stream(1, 0, 50, 1, PAYLOAD));
        upload(2, stream(1, 60, 40, 1, PAYLOAD));

        assertThatThrownBy(() -> read(1, 0, -1, Integer.MAX_VALUE))
            .isInstanceOf(StreamDataGapException.class)
            .hasMessage("Stream 1 has no data at offset 50: the next object, 2, starts at offset 60");
    }

    @Test
    void objectLackingOffsetsItsMetadataClaimsFailsTheRead() {
        WrittenObject object = TestBatches.write(BLOCK_SIZE, stream(1, 0, 50, 1, PAYLOAD));
        storage.write(ObjectKeys.dataObject(1), object.data()).join();
        metadata.add(new ObjectRange(1, ObjectType.STREAM, object.size(), 1, 0, 100));

        assertThatThrownBy(() -> read(1, 40, -1, Integer.MAX_VALUE))
            .isInstanceOf(StreamDataGapException.class)
            .hasMessageContaining("Stream 1 has no data at offset 50: object 1")
            .hasMessageContaining("should hold offsets [0, 100) but has no block for offset 50");
    }

    @Test
    void corruptBlockFailsTheReadRatherThanReturnWrongData() {
        upload(1, stream(1, 0, 20, 1, PAYLOAD));
        byte[] bytes = storage.bytes(ObjectKeys.dataObject(1));
        bytes[ENCODED * 5 + 40] ^= 0x01;
        storage.put(ObjectKeys.dataObject(1), bytes);

        assertThatThrownBy(() -> read(1, 0, -1, Integer.MAX_VALUE))
            .isInstanceOf(ObjectFormatException.class)
            .hasMessageContaining("block CRC mismatch");
    }

    @Test
    void readAheadGrowsOnSequentialMissesAndResetsOnAJump() {
        // One stream of 2000 single-offset batches in blocks of 4 batches (532 bytes).
        upload(1, stream(1, 0, 2000, 1, PAYLOAD));
        List<Long> getSizes = new ArrayList<>();
        for (long offset = 0; offset < 132; offset++) {
            assertThat(read(1, offset, -1, PAYLOAD)).extracting(StreamRecordBatch::baseOffset).containsExactly(offset);
        }
        storage.reads().forEach(get -> getSizes.add(get.length()));
        storage.clearReads();
        for (long offset = 1500; offset < 1508; offset++) {
            read(1, offset, -1, PAYLOAD);
        }
        storage.reads().forEach(get -> getSizes.add(get.length()));

        long block = BLOCK_SIZE;
        assertThat(getSizes).as("GET sizes: the read's own block, then read-ahead windows of 2, 4, 8, 8, 8 KiB"
            + " (rounded up to whole blocks), each fetched when the reader enters the one before, then after the"
            + " jump its block and a 2 KiB window again").containsExactly(
            65536L, block,          // offset 0: open the object (tail), then block 0; a first read is not sequential
            block, 4 * block,       // offset 4: sequential miss, read ahead 2 KiB (blocks 2-5, offsets 8-23)
            8 * block,              // offset 7 ends in that window: read ahead 4 KiB more (offsets 24-55)
            16 * block,             // offset 24: 8 KiB more (offsets 56-119)
            16 * block,             // offset 56: the 8 KiB maximum (offsets 120-183)
            16 * block,             // offset 120: again; no read missed after offset 4
            block,                  // offset 1500: a jump, no read-ahead, window reset
            block, 4 * block,       // offset 1504: sequential miss, read ahead 2 KiB again
            8 * block);             // offset 1507 ends in that window: 4 KiB more
        assertThat(registry.get("lakestream.stream.read.ahead").counter().count()).as("read-ahead bytes")
            .isEqualTo((4 + 8 + 16 + 16 + 16 + 4 + 8) * block);
    }

    @Test
    void sequentialReadsReuseTheObjectsFoundUntilTheStreamIsRewritten() {
        List<StreamRecordBatch> written = new ArrayList<>();
        for (long objectId = 1; objectId <= 20; objectId++) {
            List<StreamRecordBatch> part = stream(1, (objectId - 1) * 10, 10, 1, PAYLOAD);
            written.addAll(part);
            upload(objectId, part);
        }
        locates.set(0);

        assertThat(readInPages(1, PAYLOAD * 3)).containsExactlyElementsOf(written);
        int sequential = locates.get();
        reader.forgetLocations(1);
        locates.set(0);
        read(1, 5, -1, PAYLOAD);

        assertThat(sequential).as("locator calls for %d reads of 20 objects, %d objects a call", 67,
            CachedStreamReader.LOCATE_LIMIT).isLessThanOrEqualTo(10);
        assertThat(locates.get()).as("locator calls for a read after the locations were forgotten").isEqualTo(1);
    }

    @Test
    void readAheadWindowResetsOnANonSequentialRead() {
        upload(1, stream(1, 0, 2000, 1, PAYLOAD));
        read(1, 0, -1, PAYLOAD);
        read(1, 1, -1, PAYLOAD * 4);
        read(1, 5, -1, PAYLOAD);
        assertThat(reader.readAheadWindowBytes(1)).as("window after one sequential miss").isEqualTo(4096);

        read(1, 1000, -1, PAYLOAD);

        assertThat(reader.readAheadWindowBytes(1)).as("window after a jump").isEqualTo(2048);
    }

    @Test
    void aReadThatMissesFetchesTheRestOfItsObjectsAtOnce() {
        // Objects of 40 single-offset batches, 10 blocks each.
        for (long objectId = 1; objectId <= 4; objectId++) {
            upload(objectId, stream(1, (objectId - 1) * 40, 40, 1, PAYLOAD));
            cache.reader(objectId, storage.bytes(ObjectKeys.dataObject(objectId)).length).join();
        }
        read(1, 0, -1, PAYLOAD);
        storage.clearReads();
        storage.holdReads();

        // Sequential, missing blocks 1-9 of object 1, and asking for about three objects' worth.
        CompletableFuture<List<StreamRecordBatch>> read = reader.read(1, 1, -1, 110 * PAYLOAD);
        List<String> keysBeforeAnyGetCompleted = storage.reads().stream().map(RangeRead::key).distinct().toList();
        storage.releaseReads();

        assertThat(read.join()).extracting(StreamRecordBatch::baseOffset)
            .containsExactlyElementsOf(java.util.stream.LongStream.range(1, 111).boxed().toList());
        assertThat(keysBeforeAnyGetCompleted).as("objects with a GET under way while the read's first GET was")
            .contains(ObjectKeys.dataObject(1), ObjectKeys.dataObject(2), ObjectKeys.dataObject(3));
    }

    @Test
    void aReaderOfLargeReadsFindsThemFetchedAheadFromItsThirdReadOn() {
        // A read-ahead buffer of 1 MiB: a 64th is 16 KiB, less than the 32 KiB reads below.
        BlockCache smallCache = new BlockCache(storage, 2 << 20, 1 << 20, registry);
        CachedStreamReader largeReads =
            new CachedStreamReader(locator, smallCache, new ReadAheadConfig(2048, 1 << 20), registry);
        for (long objectId = 1; objectId <= 40; objectId++) {
            upload(objectId, stream(1, (objectId - 1) * 200, 200, 1, PAYLOAD));
        }
        int readBytes = 32 << 10;
        List<Double> missesAfterEachRead = new ArrayList<>();
        long next = 0;
        for (int i = 0; i < 20; i++) {
            List<StreamRecordBatch> page = largeReads.read(1, next, -1, readBytes).join();
            assertThat(page).as("read %d", i).isNotEmpty();
            assertThat(page.get(0).baseOffset()).as("read %d starts where the last one ended", i).isEqualTo(next);
            next = page.get(page.size() - 1).endOffset();
            missesAfterEachRead.add(registry.get(BlockCache.CACHE_METRIC).tag("result", "miss").counter().count());
        }

        assertThat(largeReads.readAheadWindowBytes(1)).as("window of a reader of %d-byte reads", readBytes)
            .isGreaterThanOrEqualTo(readBytes);
        assertThat(missesAfterEachRead.subList(2, 20)).as("block cache misses after each read: from the third "
            + "read on (the first is not sequential, the second starts the window at one read), every block "
            + "should have been fetched ahead").containsOnly(missesAfterEachRead.get(2));
    }

    @Test
    void aSequentialReaderFindsTheBlockItStoppedInAtItsNextRead() {
        // Room for 16 blocks in the cache and 16 fetched ahead; 120 blocks of 4 batches; reads of 6 batches,
        // so every other read stops inside a block and the next one needs the rest of it.
        BlockCache small = new BlockCache(storage, 32L * BLOCK_SIZE, 1 << 20, registry);
        CachedStreamReader scanner =
            new CachedStreamReader(locator, small, new ReadAheadConfig(8 * BLOCK_SIZE, 8 * BLOCK_SIZE), registry);
        for (long objectId = 1; objectId <= 4; objectId++) {
            upload(objectId, stream(1, (objectId - 1) * 120, 120, 1, PAYLOAD));
        }
        List<Double> missesAfterEachRead = new ArrayList<>();
        long next = 0;
        for (int i = 0; i < 80; i++) {
            List<StreamRecordBatch> page = scanner.read(1, next, -1, 6 * PAYLOAD).join();
            assertThat(page).as("read %d", i).hasSize(6);
            next = page.get(page.size() - 1).endOffset();
            missesAfterEachRead.add(registry.get(BlockCache.CACHE_METRIC).tag("result", "miss").counter().count());
        }

        assertThat(missesAfterEachRead.subList(2, 80)).as("block cache misses after each read: from the third read on "
            + "(the first is not sequential, the second starts the read-ahead) no read should wait for a block")
            .containsOnly(missesAfterEachRead.get(1));
    }

    @Test
    void concurrentReadsOfOneBlockShareOneGet() {
        upload(1, stream(1, 0, 20, 1, PAYLOAD));
        cache.reader(1, storage.bytes(ObjectKeys.dataObject(1)).length).join();
        storage.clearReads();
        storage.holdReads();

        CompletableFuture<List<StreamRecordBatch>> a = reader.read(1, 0, -1, PAYLOAD);
        CompletableFuture<List<StreamRecordBatch>> b = reader.read(1, 1, -1, PAYLOAD);
        storage.releaseReads();

        assertThat(a.join()).extracting(StreamRecordBatch::baseOffset).containsExactly(0L);
        assertThat(b.join()).extracting(StreamRecordBatch::baseOffset).containsExactly(1L);
        assertThat(storage.reads()).as("GETs for two concurrent reads of block 0")
            .containsExactly(new RangeRead(ObjectKeys.dataObject(1), 0, BLOCK_SIZE));
    }

    /** Compiles only if {@code StreamMetadata::getObjects} fits {@link ObjectLocator}. */
    static ObjectLocator locatorOf(StreamMetadata streamMetadata) {
        return streamMetadata::getObjects;
    }

    private void upload(long objectId, List<StreamRecordBatch> batches) {
        WrittenObject object = TestBatches.write(BLOCK_SIZE, batches);
        storage.write(ObjectKeys.dataObject(objectId), object.data()).join();
        for (StreamOffsetRange range : object.ranges()) {
            metadata.add(new ObjectRange(objectId, ObjectType.STREAM_SET, object.size(), range.streamId(),
                range.startOffset(), range.endOffset()));
        }
    }

    private List<StreamRecordBatch> read(long streamId, long startOffset, long endOffset, int maxBytes) {
        try {
            return reader.read(streamId, startOffset, endOffset, maxBytes).join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private List<StreamRecordBatch> readInPages(long streamId, int maxBytes) {
        List<StreamRecordBatch> all = new ArrayList<>();
        long next = 0;
        for (List<StreamRecordBatch> page = read(streamId, next, -1, maxBytes); !page.isEmpty();
             page = read(streamId, next, -1, maxBytes)) {
            all.addAll(page);
            next = page.get(page.size() - 1).endOffset();
        }
        return all;
    }
}
