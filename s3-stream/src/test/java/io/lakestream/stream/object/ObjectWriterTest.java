package io.lakestream.stream.object;

import static io.lakestream.stream.object.TestBatches.batch;
import static io.lakestream.stream.object.TestBatches.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObjectWriterTest {
    private static final String KEY = "data/000/writer-test";
    private final InMemoryObjectStorage storage = new InMemoryObjectStorage();

    @Test
    void manyStreamsInManyBlocksReadBackExactlyAsWritten() {
        Random random = new Random(42);
        List<StreamRecordBatch> written = new ArrayList<>();
        for (long streamId = 1; streamId <= 5; streamId++) {
            long offset = streamId * 1000;
            for (int i = 0; i < 200; i++) {
                int count = 1 + random.nextInt(10);
                written.add(batch(streamId, 3, offset, count, 100 + random.nextInt(3000)));
                offset += count;
            }
        }
        WrittenObject object = TestBatches.write(16 * 1024, written);
        ObjectReader reader = open(object);

        List<StreamRecordBatch> read = new ArrayList<>();
        for (long streamId = 1; streamId <= 5; streamId++) {
            for (DataBlockIndex block : reader.find(streamId, 0, -1, Integer.MAX_VALUE)) {
                read.addAll(reader.readBlock(block).join().records());
            }
        }
        assertThat(read).as("batches read back from the object").containsExactlyElementsOf(written);
        assertThat(reader.index().entryCount()).as("number of blocks").isGreaterThan(5 * 10);
        for (int i = 0; i < reader.index().entryCount(); i++) {
            assertThat(reader.index().entry(i).size()).as("size of block %d", i).isLessThanOrEqualTo(16 * 1024);
        }
    }

    @Test
    void aWriterToldTheBatchBytesBuildsTheObjectInTheBufferItSizedForThem() {
        List<StreamRecordBatch> batches = new ArrayList<>();
        for (long streamId = 1; streamId <= 16; streamId++) {
            batches.addAll(stream(streamId, 0, 6, 10, 16 * 1024 - 100));
        }
        long batchBytes = batches.stream().mapToLong(StreamRecordBatch::encodedSize).sum();
        ObjectWriter writer = new ObjectWriter(64 * 1024, batchBytes, 16);
        batches.forEach(writer::add);
        WrittenObject object = writer.build();

        // Grown by doubling (or by an index that did not fit), the buffer would end up to twice as large.
        assertThat(object.data().capacity() - object.size()).as("bytes allocated but not used")
            .isLessThan(16 * 1024);
        ObjectReader reader = open(object);
        assertThat(reader.readBlock(reader.find(16, 0, -1, Integer.MAX_VALUE).get(0)).join().records().get(0))
            .isEqualTo(batches.get(15 * 6));
    }

    @Test
    void rangesCoverEachStreamWithItsLastEpochOrderedByStreamId() {
        List<StreamRecordBatch> batches = List.of(
            batch(9, 1, 100, 5, 10),
            batch(9, 2, 105, 5, 10),
            batch(4, 7, 0, 3, 10));

        WrittenObject object = TestBatches.write(1024, batches);

        assertThat(object.ranges()).containsExactly(
            new StreamOffsetRange(4, 7, 0, 3),
            new StreamOffsetRange(9, 2, 100, 110));
        assertThat(object.size()).isEqualTo(object.data().remaining());
    }

    @Test
    void streamsAddedOutOfIdOrderAreIndexedByStreamId() {
        WrittenObject object = TestBatches.write(1024, List.of(batch(9, 1, 0, 1, 10), batch(4, 1, 50, 1, 10)));
        ObjectReader reader = open(object);

        assertThat(reader.index().entry(0).streamId()).as("first index entry's stream").isEqualTo(4);
        assertThat(reader.index().entry(1).streamId()).as("second index entry's stream").isEqualTo(9);
        assertThat(reader.find(4, 50, 51, 1)).singleElement().satisfies(block ->
            assertThat(reader.readBlock(block).join().records()).containsExactly(batch(4, 1, 50, 1, 10)));
    }

    @Test
    void batchBiggerThanTheTargetSizeIsABlockOfItsOwn() {
        List<StreamRecordBatch> batches = List.of(
            batch(1, 1, 0, 1, 100),
            batch(1, 1, 1, 1, 5000),
            batch(1, 1, 2, 1, 100));

        ObjectReader reader = open(TestBatches.write(1024, batches));

        assertThat(reader.find(1, 0, -1, Integer.MAX_VALUE))
            .extracting(DataBlockIndex::startOffset, DataBlockIndex::endOffset, DataBlockIndex::recordCount)
            .containsExactly(
                tuple(0L, 1L, 1),
                tuple(1L, 2L, 1),
                tuple(2L, 3L, 1));
    }

    @Test
    void blockIsClosedBeforeABatchWouldTakeItPastTheTarget() {
        int encoded = batch(1, 1, 0, 1, 100).encodedSize();
        ObjectReader reader = open(TestBatches.write(3 * encoded, stream(1, 0, 7, 1, 100)));

        assertThat(reader.find(1, 0, -1, Integer.MAX_VALUE)).extracting(DataBlockIndex::recordCount)
            .as("batches per block with room for exactly three").containsExactly(3, 3, 1);
    }

    @Test
    void addRejectsABatchThatDoesNotContinueItsStreamNamingStreamAndOffsets() {
        ObjectWriter writer = new ObjectWriter();
        writer.add(batch(7, 1, 0, 10, 10));

        assertThatThrownBy(() -> writer.add(batch(7, 1, 12, 3, 10)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("Stream 7: batch at offsets [12, 15) does not follow the previous batch, which ends at 10");
    }

    @Test
    void addRejectsAStreamThatComesBackAfterAnotherStream() {
        ObjectWriter writer = new ObjectWriter();
        writer.add(batch(7, 1, 0, 10, 10));
        writer.add(batch(8, 1, 0, 10, 10));

        assertThatThrownBy(() -> writer.add(batch(7, 1, 10, 1, 10)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Stream 7: batch at offsets [10, 11) comes after other streams");
    }

    @Test
    void buildRejectsAnObjectWithNoBatches() {
        assertThatThrownBy(() -> new ObjectWriter().build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("at least one batch");
    }

    @Test
    void writerCannotBeUsedAfterBuild() {
        ObjectWriter writer = new ObjectWriter();
        writer.add(batch(1, 1, 0, 1, 10));
        writer.build();

        assertThatThrownBy(() -> writer.add(batch(1, 1, 1, 1, 10))).isInstanceOf(IllegalStateException.class);
    }

    private ObjectReader open(WrittenObject object) {
        storage.write(KEY, object.data()).join();
        return ObjectReader.open(storage, KEY, object.size()).join();
    }
}
