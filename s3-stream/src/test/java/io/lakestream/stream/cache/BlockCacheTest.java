package io.lakestream.stream.cache;

import static io.lakestream.stream.object.TestBatches.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.object.DataBlock;
import io.lakestream.stream.object.DataBlockIndex;
import io.lakestream.stream.object.InMemoryObjectStorage;
import io.lakestream.stream.object.InMemoryObjectStorage.RangeRead;
import io.lakestream.stream.object.ObjectReader;
import io.lakestream.stream.object.TestBatches;
import io.lakestream.stream.object.WrittenObject;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectNotFoundException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlockCacheTest {
    private static final long OBJECT_ID = 7;
    private static final String KEY = ObjectKeys.dataObject(OBJECT_ID);
    private static final int PAYLOAD = 100;
    private static final int BLOCK_SIZE = 4 * (PAYLOAD + StreamRecordBatch.HEADER_SIZE);

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private BlockCache cache;
    private WrittenObject object;
    private ObjectReader reader;
    private List<DataBlockIndex> blocks;

    /** One stream, offsets [0, 200), 50 blocks of 4 batches. */
    @BeforeEach
    void writeObject() {
        object = TestBatches.write(BLOCK_SIZE, stream(1, 0, 200, 1, PAYLOAD));
        storage.write(KEY, object.data()).join();
        cache = new BlockCache(storage, 1 << 20, 1 << 20, registry);
        reader = cache.reader(OBJECT_ID, object.size()).join();
        blocks = reader.find(1, 0, -1, Integer.MAX_VALUE);
        storage.clearReads();
    }

    @Test
    void concurrentReadersOfOneBlockShareOneGet() {
        storage.holdReads();
        CompletableFuture<List<DataBlock>> first = cache.blocks(OBJECT_ID, reader, blocks.subList(3, 4)).blocks();
        CompletableFuture<List<DataBlock>> second = cache.blocks(OBJECT_ID, reader, blocks.subList(3, 4)).blocks();
        storage.releaseReads();

        assertThat(storage.reads()).as("GETs for two concurrent reads of one block").hasSize(1);
        assertThat(first.join().get(0).records()).containsExactlyElementsOf(second.join().get(0).records())
            .containsExactlyElementsOf(stream(1, 12, 4, 1, PAYLOAD));
    }

    @Test
    void adjacentMissingBlocksAreFetchedWithOneGetPerRun() {
        cache.blocks(OBJECT_ID, reader, blocks.subList(2, 3)).blocks().join();
        storage.clearReads();

        List<DataBlock> read = cache.blocks(OBJECT_ID, reader, blocks.subList(0, 5)).blocks().join();

        assertThat(storage.reads()).as("GETs around the one cached block").containsExactly(
            new RangeRead(KEY, blocks.get(0).position(), blocks.get(1).endPosition()),
            new RangeRead(KEY, blocks.get(3).position(), blocks.get(4).endPosition()));
        assertThat(read).extracting(DataBlock::index).containsExactlyElementsOf(blocks.subList(0, 5));
    }

    @Test
    void hitsAndMissesAreCountedPerBlock() {
        cache.blocks(OBJECT_ID, reader, blocks.subList(0, 2)).blocks().join();
        BlockCache.Lookup lookup = cache.blocks(OBJECT_ID, reader, blocks.subList(1, 4));
        lookup.blocks().join();

        assertThat(lookup.missedBlocks()).as("blocks missed by the second lookup").isEqualTo(2);
        assertThat(count("hit")).as("hits").isEqualTo(1);
        assertThat(count("miss")).as("misses").isEqualTo(4);
    }

    @Test
    void failedReadIsNotCachedAndTheNextLookupRetries() {
        WrittenObject other = TestBatches.write(BLOCK_SIZE, stream(2, 0, 8, 1, PAYLOAD));
        storage.write(ObjectKeys.dataObject(8), other.data()).join();
        ObjectReader otherReader = cache.reader(8, other.size()).join();
        storage.delete(List.of(ObjectKeys.dataObject(8))).join();
        List<DataBlockIndex> otherBlocks = otherReader.find(2, 0, -1, Integer.MAX_VALUE);

        assertThatThrownBy(() -> cache.blocks(8, otherReader, otherBlocks).blocks().join())
            .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ObjectNotFoundException.class);
        assertThat(cache.contains(8, otherBlocks.get(0).position())).as("failed block still cached").isFalse();

        storage.write(ObjectKeys.dataObject(8), other.data()).join();
        assertThat(cache.blocks(8, otherReader, otherBlocks).blocks().join()).hasSize(otherBlocks.size());
    }

    @Test
    void cacheIsBoundedByBytes() {
        BlockCache small = new BlockCache(storage, 10L * BLOCK_SIZE, 1 << 20, new SimpleMeterRegistry());
        for (DataBlockIndex block : blocks) {
            small.blocks(OBJECT_ID, reader, List.of(block)).blocks().join();
        }

        assertThat(small.cachedBytes()).as("bytes cached after reading %d blocks of %d bytes", blocks.size(),
            BLOCK_SIZE).isLessThanOrEqualTo(10L * BLOCK_SIZE).isGreaterThan(0);
    }

    @Test
    void blocksFetchedAheadAreServedWithoutAnotherGetWhenTheCacheIsFull() {
        // Half of the 10 blocks' bytes for the cache, half for read-ahead: a scan of 50 blocks fills both.
        BlockCache small = new BlockCache(storage, 10L * BLOCK_SIZE, 1 << 20, new SimpleMeterRegistry());
        small.prefetch(OBJECT_ID, reader, blocks.subList(0, 2));
        for (int i = 0; i < blocks.size(); i++) {
            if (i + 2 < blocks.size()) {
                small.prefetch(OBJECT_ID, reader, blocks.subList(i + 2, i + 3));
            }
            BlockCache.Lookup lookup = small.blocks(OBJECT_ID, reader, blocks.subList(i, i + 1));
            assertThat(lookup.missedBlocks()).as("block %d, fetched ahead two reads before", i).isZero();
            assertThat(lookup.blocks().join()).extracting(DataBlock::index).containsExactly(blocks.get(i));
        }

        assertThat(storage.reads()).as("GETs: one per block, all of them read-ahead").hasSize(blocks.size() - 1);
    }

    @Test
    void aBlockFetchedAheadEntersTheCacheWhenItIsReadASecondTime() {
        cache.prefetch(OBJECT_ID, reader, blocks.subList(0, 2));

        List<DataBlock> first = cache.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join();
        assertThat(cache.cachedBytes()).as("bytes cached after the first read of a block fetched ahead").isZero();
        assertThat(cache.contains(OBJECT_ID, blocks.get(0).position())).as("kept for a second reader").isTrue();

        List<DataBlock> second = cache.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join();
        assertThat(cache.cachedBytes()).as("bytes cached after the second read").isEqualTo(BLOCK_SIZE);
        assertThat(second.get(0).records()).containsExactlyElementsOf(first.get(0).records());

        cache.blocks(OBJECT_ID, reader, blocks.subList(1, 2)).blocks().join();
        cache.blocks(OBJECT_ID, reader, blocks.subList(1, 2)).blocks().join();
        assertThat(cache.cachedBytes()).as("bytes cached after both blocks were read twice").isEqualTo(2L * BLOCK_SIZE);
        assertThat(storage.reads()).as("GETs: the one read-ahead of both blocks").hasSize(1);
        assertThat(count("hit")).as("hits").isEqualTo(4);
    }

    @Test
    void aBlockHeldForTheNextReadIsNotReadASecondTimeByThatRead() {
        cache.prefetch(OBJECT_ID, reader, blocks.subList(0, 1));
        DataBlock stoppedIn = cache.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join().get(0);

        cache.holdForNextRead(OBJECT_ID, stoppedIn);
        cache.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join();

        assertThat(cache.cachedBytes()).as("bytes cached after the read the block was held for").isZero();
        assertThat(cache.contains(OBJECT_ID, blocks.get(0).position())).isTrue();
    }

    @Test
    void aHeldBlockThatIsASliceOfItsReadEntersTheCacheAsACopy() {
        // Room in the read-ahead buffer for two blocks.
        BlockCache small = new BlockCache(storage, 4L * BLOCK_SIZE, 1 << 20, new SimpleMeterRegistry());
        small.prefetch(OBJECT_ID, reader, blocks.subList(0, 2));
        DataBlock slice = small.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join().get(0);
        small.prefetch(OBJECT_ID, reader, blocks.subList(2, 4));

        small.holdForNextRead(OBJECT_ID, slice);
        small.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join();
        DataBlock cached = small.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).blocks().join().get(0);

        assertThat(cached).as("the block the cache took, which must not keep its whole read in memory")
            .isNotSameAs(slice);
        assertThat(cached.records()).containsExactlyElementsOf(slice.records());
    }

    @Test
    void blocksReadAlreadyAreDroppedFromTheReadAheadBufferBeforeUnreadOnes() {
        BlockCache small = new BlockCache(storage, 4L * BLOCK_SIZE, 1 << 20, new SimpleMeterRegistry());
        small.prefetch(OBJECT_ID, reader, blocks.subList(0, 2));
        small.blocks(OBJECT_ID, reader, blocks.subList(1, 2)).blocks().join();

        small.prefetch(OBJECT_ID, reader, blocks.subList(2, 3));

        assertThat(small.contains(OBJECT_ID, blocks.get(0).position())).as("older, unread").isTrue();
        assertThat(small.contains(OBJECT_ID, blocks.get(1).position())).as("newer, read").isFalse();
        assertThat(small.blocks(OBJECT_ID, reader, blocks.subList(0, 1)).missedBlocks()).isZero();
    }

    @Test
    void objectIsOpenedOnceAndItsIndexCached() {
        CompletableFuture<ObjectReader> again = cache.reader(OBJECT_ID, object.size());

        assertThat(again.join()).isSameAs(reader);
        assertThat(storage.reads()).as("GETs to open a cached object").isEmpty();
    }

    /**
     * A block held for a reader's next read, and then read twice, goes back into the cache over
     * itself. The cache's bookkeeping must run on the caller: handed to
     * {@code CompletableFuture}'s default async executor, it would start a thread per put on a
     * machine of fewer than three cores, whose common pool has one thread (CompletableFuture
     * then runs each task on a new thread).
     */
    @Test
    void lookupsStartNoThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<DataBlock> first = cache.blocks(OBJECT_ID, reader, blocks.subList(0, 2)).blocks().join();
        long startedBefore = threads.getTotalStartedThreadCount();

        for (int i = 0; i < 50; i++) {
            cache.holdForNextRead(OBJECT_ID, first.get(1));
            cache.blocks(OBJECT_ID, reader, blocks.subList(1, 3)).blocks().join();
            cache.blocks(OBJECT_ID, reader, blocks.subList(1, 2)).blocks().join();
        }

        // The count is the JVM's: a pool left by an earlier test may start a thread meanwhile (CI saw
        // one). Bookkeeping handed to the default executor would start one per lookup, 50 in all.
        assertThat(threads.getTotalStartedThreadCount() - startedBefore).as("threads started during 50 lookups")
            .isLessThan(10);
    }

    private double count(String result) {
        return registry.get(BlockCache.CACHE_METRIC).tag("result", result).counter().count();
    }
}
