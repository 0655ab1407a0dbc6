package io.lakestream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.metadata.StreamState;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WalRecoveryTest {
    private static final int NODE = 1;
    private final MemoryWal wal = new MemoryWal();
    private final LogCache cache = new LogCache(1 << 20);

    @Test
    void replaysOnlyBatchesThatAreDurableButNotCommitted() throws Exception {
        append(1, 5, 0, 5);   // committed: stream 1 ends at 10 in the metadata
        append(1, 5, 5, 5);   // committed
        append(1, 5, 10, 3);  // not committed
        append(2, 3, 0, 4);   // stream 2 was reopened with epoch 4: not ours
        append(3, 1, 0, 2);   // stream 3 is not open on this node

        WalRecovery recovery = new WalRecovery(Map.of(
            1L, new StreamState(1, 5, 0, 10, true, NODE),
            2L, new StreamState(2, 4, 0, 0, true, NODE)));
        recovery.replay(wal, cache);

        assertThat(recovery.replayedBatches()).isEqualTo(1);
        assertThat(cache.get(1, 10, Long.MAX_VALUE, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .containsExactly(10L);
        assertThat(cache.get(1, 0, Long.MAX_VALUE, 1 << 20)).as("committed batches are not replayed").isEmpty();
        assertThat(cache.get(2, 0, Long.MAX_VALUE, 1 << 20)).isEmpty();
        assertThat(cache.get(3, 0, Long.MAX_VALUE, 1 << 20)).isEmpty();
    }

    @Test
    void aGapEndsTheStreamsReplayButNotOtherStreams() throws Exception {
        append(1, 1, 0, 2);
        append(1, 1, 5, 2);   // offsets 2..4 never made it into the log
        append(1, 1, 7, 2);
        append(2, 1, 0, 1);

        WalRecovery recovery = new WalRecovery(Map.of(
            1L, new StreamState(1, 1, 0, 0, true, NODE),
            2L, new StreamState(2, 1, 0, 0, true, NODE)));
        recovery.replay(wal, cache);

        assertThat(cache.get(1, 0, Long.MAX_VALUE, 1 << 20)).extracting(StreamRecordBatch::baseOffset)
            .containsExactly(0L);
        assertThat(cache.get(1, 7, Long.MAX_VALUE, 1 << 20)).as("nothing after the gap").isEmpty();
        assertThat(cache.get(2, 0, Long.MAX_VALUE, 1 << 20)).hasSize(1);
    }

    private void append(long stream, long epoch, long base, int count) {
        wal.append(new StreamRecordBatch(stream, epoch, base, count, ByteBuffer.wrap(new byte[] {1})).encode()).join();
    }

}
