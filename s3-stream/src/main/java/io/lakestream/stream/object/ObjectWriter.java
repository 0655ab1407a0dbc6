package io.lakestream.stream.object;
import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
// TEMPORARY STUB until the format branch merges
public final class ObjectWriter {
    private final List<StreamRecordBatch> batches = new ArrayList<>();
    public ObjectWriter(int blockSize) {}
    public void add(StreamRecordBatch b) { batches.add(b); }
    public WrittenObject build() {
        int size = batches.stream().mapToInt(StreamRecordBatch::encodedSize).sum();
        ByteBuffer buf = ByteBuffer.allocate(size);
        List<StreamOffsetRange> ranges = new ArrayList<>();
        for (StreamRecordBatch b : batches) {
            b.encodeTo(buf);
            if (!ranges.isEmpty() && ranges.get(ranges.size() - 1).streamId() == b.streamId()) {
                StreamOffsetRange last = ranges.remove(ranges.size() - 1);
                ranges.add(new StreamOffsetRange(b.streamId(), b.epoch(), last.startOffset(), b.endOffset()));
            } else {
                ranges.add(new StreamOffsetRange(b.streamId(), b.epoch(), b.baseOffset(), b.endOffset()));
            }
        }
        return new WrittenObject(buf.flip(), ranges, size);
    }
}
