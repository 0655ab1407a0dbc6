package io.lakestream.stream.object;

import io.lakestream.stream.StreamRecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Batches with payloads derived from their position, so misplaced bytes show up as a mismatch. */
public final class TestBatches {
    private TestBatches() {}

    public static StreamRecordBatch batch(long streamId, long epoch, long baseOffset, int count, int payloadSize) {
        byte[] payload = new byte[payloadSize];
        for (int i = 0; i < payloadSize; i++) {
            payload[i] = (byte) (streamId * 31 + baseOffset * 7 + i);
        }
        return new StreamRecordBatch(streamId, epoch, baseOffset, count, ByteBuffer.wrap(payload));
    }

    /** {@code batches} contiguous batches of {@code count} offsets each, starting at {@code baseOffset}. */
    public static List<StreamRecordBatch> stream(long streamId, long baseOffset, int batches, int count,
                                                 int payloadSize) {
        List<StreamRecordBatch> result = new ArrayList<>(batches);
        long offset = baseOffset;
        for (int i = 0; i < batches; i++) {
            result.add(batch(streamId, 1, offset, count, payloadSize));
            offset += count;
        }
        return result;
    }

    /** Writes the batches as one object with the given target block size. */
    public static WrittenObject write(int targetBlockSize, List<StreamRecordBatch> batches) {
        ObjectWriter writer = new ObjectWriter(targetBlockSize);
        batches.forEach(writer::add);
        return writer.build();
    }
}
