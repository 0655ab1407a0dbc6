package io.lakestream.stream.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.stream.StreamRecordBatch;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LogCacheTest {
    private long walPosition;

    @Test
    void readsStartAtTheBatchHoldingTheOffsetAndSpanBlocks() {
        LogCache cache = new LogCache(1 << 20);
        put(cache, batch(1, 0, 10, 100));
        put(cache, batch(1, 10, 10, 100));
        cache.seal();
        put(cache, batch(1, 20, 5, 100));

        assertThat(cache.get(1, 15, Long.MAX_VALUE, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .containsExactly(10L, 20L);
        assertThat(cache.get(1, 0, 20, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .as("stops before endOffset").containsExactly(0L, 10L);
        assertThat(cache.get(2, 0, 20, 1 << 20)).as("another stream").isEmpty();
    }

    @Test
    void readsFindTheBlockHoldingTheirOffsetAmongManyBlocksOfOtherStreams() {
        LogCache cache = new LogCache(1 << 20);
        for (int block = 0; block < 50; block++) {
            put(cache, batch(1, block * 10L, 10, 100));
            put(cache, batch(2, block * 2L, 2, 100));
            cache.seal();
        }

        assertThat(cache.get(1, 487, Long.MAX_VALUE, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .as("from the last block").containsExactly(480L, 490L);
        assertThat(cache.get(1, 245, 275, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .as("across blocks, up to the end offset").containsExactly(240L, 250L, 260L, 270L);
        assertThat(cache.get(2, 0, 6, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .as("from the first block").containsExactly(0L, 2L, 4L);
        assertThat(cache.get(1, 500, Long.MAX_VALUE, 1 << 20)).as("past the end").isEmpty();
    }

    @Test
    void maxBytesStopsTheReadButAlwaysReturnsOneBatch() {
        LogCache cache = new LogCache(1 << 20);
        put(cache, batch(1, 0, 1, 500));
        put(cache, batch(1, 1, 1, 500));
        put(cache, batch(1, 2, 1, 500));

        assertThat(cache.get(1, 0, 3, 100)).extracting(StreamRecordBatch::baseOffset).containsExactly(0L);
        assertThat(cache.get(1, 0, 3, 600)).extracting(StreamRecordBatch::baseOffset).containsExactly(0L, 1L);
    }

    @Test
    void onlyUploadedBlocksAreEvictedOldestFirst() {
        LogCache cache = new LogCache(1000);
        put(cache, batch(1, 0, 1, 600));
        LogCache.Block first = cache.seal();
        put(cache, batch(1, 1, 1, 600));
        LogCache.Block second = cache.seal();

        assertThat(cache.sizeBytes()).as("over capacity, but nothing uploaded yet").isGreaterThan(1000);
        assertThat(cache.get(1, 0, 2, 1 << 20)).hasSize(2);

        cache.markUploaded(second);
        assertThat(cache.get(1, 0, 2, 1 << 20)).as("the older block is not uploaded, so nothing goes").hasSize(2);
        cache.markUploaded(first);
        assertThat(cache.get(1, 0, 2, 1 << 20)).as("first block evicted").isEmpty();
        assertThat(cache.get(1, 1, 2, 1 << 20)).extracting(StreamRecordBatch::baseOffset).containsExactly(1L);
    }

    @Test
    void sealedBlockKnowsWhereTheWriteAheadLogMayBeTrimmed() {
        LogCache cache = new LogCache(1 << 20);
        put(cache, batch(1, 0, 1, 10));
        put(cache, batch(2, 0, 1, 10));
        LogCache.Block block = cache.seal();

        assertThat(block.walEndPosition()).isEqualTo(walPosition);
        assertThat(block.streams()).containsOnlyKeys(1L, 2L);
        assertThat(cache.seal()).as("nothing new to seal").isNull();
    }

    @Test
    void aBatchThatDoesNotFollowTheStreamIsRefused() {
        LogCache cache = new LogCache(1 << 20);
        put(cache, batch(1, 0, 10, 10));
        assertThatThrownBy(() -> put(cache, batch(1, 11, 1, 10)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("does not follow");
    }

    private void put(LogCache cache, StreamRecordBatch batch) {
        walPosition += batch.encodedSize();
        cache.put(batch, walPosition);
    }

    static StreamRecordBatch batch(long stream, long base, int count, int bytes) {
        return new StreamRecordBatch(stream, 0, base, count, ByteBuffer.wrap(new byte[bytes]));
    }
}
