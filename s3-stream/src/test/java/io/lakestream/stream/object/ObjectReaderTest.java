package io.lakestream.stream.object;

import static io.lakestream.stream.object.TestBatches.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.object.InMemoryObjectStorage.RangeRead;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ObjectReaderTest {
    private static final String KEY = "data/000/reader-test";
    private static final int PAYLOAD = 100;
    private static final int ENCODED = PAYLOAD + StreamRecordBatch.HEADER_SIZE;

    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    private ObjectReader reader;

    /** Stream 1: offsets [0, 100) in blocks of 10 offsets (2 batches of 5); stream 2: [0, 10) after it. */
    @BeforeEach
    void writeObject() {
        List<StreamRecordBatch> batches = new ArrayList<>(stream(1, 0, 20, 5, PAYLOAD));
        batches.addAll(stream(2, 0, 2, 5, PAYLOAD));
        WrittenObject object = TestBatches.write(2 * ENCODED, batches);
        storage.write(KEY, object.data()).join();
        reader = ObjectReader.open(storage, KEY, object.size()).join();
    }

    @Test
    void findStartsWithTheBlockHoldingTheStartOffset() {
        assertThat(reader.find(1, 37, -1, Integer.MAX_VALUE))
            .extracting(DataBlockIndex::startOffset)
            .containsExactly(30L, 40L, 50L, 60L, 70L, 80L, 90L);
    }

    @Test
    void findStopsBeforeTheBlockStartingAtEndOffset() {
        assertThat(reader.find(1, 10, 40, Integer.MAX_VALUE))
            .extracting(DataBlockIndex::startOffset)
            .containsExactly(10L, 20L, 30L);
    }

    @Test
    void findStopsOnceTheBlocksReachMaxBytes() {
        assertThat(reader.find(1, 0, -1, 2 * 2 * ENCODED))
            .extracting(DataBlockIndex::startOffset)
            .containsExactly(0L, 10L);
        assertThat(reader.find(1, 0, -1, 2 * 2 * ENCODED + 1))
            .extracting(DataBlockIndex::startOffset)
            .containsExactly(0L, 10L, 20L);
    }

    @Test
    void findReturnsOneBlockEvenWhenItIsBiggerThanMaxBytes() {
        assertThat(reader.find(1, 55, -1, 1)).extracting(DataBlockIndex::startOffset).containsExactly(50L);
        assertThat(reader.find(1, 55, -1, 0)).extracting(DataBlockIndex::startOffset).containsExactly(50L);
    }

    @Test
    void findReturnsNothingOutsideTheStreamsInTheObject() {
        assertThat(reader.find(1, 100, -1, Integer.MAX_VALUE)).as("offsets past the stream's end").isEmpty();
        assertThat(reader.find(3, 0, -1, Integer.MAX_VALUE)).as("a stream not in the object").isEmpty();
        assertThat(reader.find(2, 0, -1, Integer.MAX_VALUE)).extracting(DataBlockIndex::streamId)
            .as("stream 2 only, never stream 1").containsOnly(2L);
    }

    @Test
    void openReadsFooterAndSmallIndexWithOneGet() {
        assertThat(storage.reads()).as("GETs to open an object with a small index").hasSize(1);
    }

    @Test
    void openReadsAnIndexBiggerThanTheTailWithASecondGet() {
        // One block per batch: 2000 entries of 44 bytes do not fit in the 64 KiB tail read.
        WrittenObject object = TestBatches.write(1, stream(5, 0, 2000, 1, 10));
        storage.write("big-index", object.data()).join();
        storage.clearReads();

        ObjectReader bigIndex = ObjectReader.open(storage, "big-index", object.size()).join();

        assertThat(storage.reads()).as("GETs to open an object whose index exceeds the tail read").hasSize(2);
        assertThat(bigIndex.index().entryCount()).isEqualTo(2000);
        DataBlockIndex last = bigIndex.find(5, 1999, -1, 1).get(0);
        assertThat(bigIndex.readBlock(last).join().records()).containsExactly(TestBatches.batch(5, 1, 1999, 1, 10));
    }

    @Test
    void adjacentBlocksAreReadWithOneGetAndSplitIntoBlocks() {
        List<DataBlockIndex> blocks = reader.find(1, 0, 30, Integer.MAX_VALUE);
        storage.clearReads();

        List<DataBlock> read = reader.readBlocks(blocks).join();

        assertThat(storage.reads()).containsExactly(
            new RangeRead(KEY, blocks.get(0).position(), blocks.get(2).endPosition()));
        List<StreamRecordBatch> records = new ArrayList<>();
        read.forEach(block -> records.addAll(block.records()));
        assertThat(records).containsExactlyElementsOf(stream(1, 0, 6, 5, PAYLOAD));
    }

    @Test
    void detachedBlockHoldsTheSameRecords() {
        DataBlock block = reader.readBlocks(reader.find(1, 0, 30, Integer.MAX_VALUE)).join().get(1);

        assertThat(block.detached().records()).containsExactlyElementsOf(block.records());
    }

    @Test
    void onlyBlocksOnTheHeapAreCopiedWhenDetached() {
        DataBlockIndex index = reader.find(1, 0, 10, Integer.MAX_VALUE).get(0);
        ByteBuffer heap = storage.rangeRead(KEY, index.position(), index.endPosition()).join();
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        DataBlock onHeap = DataBlock.verify(KEY, index, heap);
        DataBlock offHeap = DataBlock.verify(KEY, index, direct);

        assertThat(onHeap.detached()).as("a heap block is copied").isNotSameAs(onHeap);
        assertThat(offHeap.detached()).as("a block outside the heap (a mapped file) is kept").isSameAs(offHeap);
        assertThat(offHeap.records()).containsExactlyElementsOf(onHeap.records());
    }
}
