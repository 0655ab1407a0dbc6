package io.lakestream.stream;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One element of a stream: an opaque payload covering the offsets
 * {@code [baseOffset, baseOffset + count)}. For a Kafka partition the payload is one record
 * batch and the count its number of offsets; s3-stream never looks inside it.
 *
 * <p>The same encoding is used in the write-ahead log and in object data blocks:
 *
 * <pre>
 *  offset  size  field
 *   0       1    magic          (currently 1)
 *   1       8    streamId
 *   9       8    epoch          (the stream epoch of the writer)
 *  17       8    baseOffset
 *  25       4    count          (offsets covered, at least 1)
 *  29       4    payloadLength
 *  33       n    payload
 * </pre>
 *
 * Instances are immutable; {@link #payload()} returns a read-only duplicate.
 */
public final class StreamRecordBatch {
    public static final byte MAGIC = 1;
    static final int MAGIC_OFFSET = 0;
    static final int STREAM_ID_OFFSET = 1;
    static final int EPOCH_OFFSET = 9;
    static final int BASE_OFFSET_OFFSET = 17;
    static final int COUNT_OFFSET = 25;
    static final int PAYLOAD_LENGTH_OFFSET = 29;
    public static final int HEADER_SIZE = 33;

    private final long streamId;
    private final long epoch;
    private final long baseOffset;
    private final int count;
    private final ByteBuffer payload;

    public StreamRecordBatch(long streamId, long epoch, long baseOffset, int count, ByteBuffer payload) {
        if (count <= 0) {
            throw new IllegalArgumentException("A batch covers at least one offset, got count " + count);
        }
        if (baseOffset < 0) {
            throw new IllegalArgumentException("Negative base offset " + baseOffset);
        }
        this.streamId = streamId;
        this.epoch = epoch;
        this.baseOffset = baseOffset;
        this.count = count;
        this.payload = payload.slice().asReadOnlyBuffer();
    }

    public long streamId() {
        return streamId;
    }

    public long epoch() {
        return epoch;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int count() {
        return count;
    }

    /** The first offset after this batch. */
    public long endOffset() {
        return baseOffset + count;
    }

    public ByteBuffer payload() {
        return payload.duplicate();
    }

    public int payloadSize() {
        return payload.remaining();
    }

    /** Bytes taken by {@link #encodeTo}. */
    public int encodedSize() {
        return HEADER_SIZE + payload.remaining();
    }

    /** Writes the encoding at the buffer's position and advances it. */
    public void encodeTo(ByteBuffer out) {
        out.put(MAGIC)
            .putLong(streamId)
            .putLong(epoch)
            .putLong(baseOffset)
            .putInt(count)
            .putInt(payload.remaining())
            .put(payload.duplicate());
    }

    public ByteBuffer encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedSize());
        encodeTo(out);
        return out.flip();
    }

    /**
     * Reads one batch at the buffer's position and advances it past the batch. The payload
     * is a view of {@code in}, not a copy.
     *
     * @throws IllegalArgumentException if the bytes are not a well-formed batch
     */
    public static StreamRecordBatch decode(ByteBuffer in) {
        if (in.remaining() < HEADER_SIZE) {
            throw new IllegalArgumentException("Truncated stream batch header: " + in.remaining() + " bytes");
        }
        int start = in.position();
        byte magic = in.get(start + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalArgumentException("Unknown stream batch magic " + magic);
        }
        int length = in.getInt(start + PAYLOAD_LENGTH_OFFSET);
        if (length < 0 || length > in.remaining() - HEADER_SIZE) {
            throw new IllegalArgumentException("Stream batch payload length " + length
                + " exceeds the " + (in.remaining() - HEADER_SIZE) + " bytes available");
        }
        ByteBuffer payload = in.slice(start + HEADER_SIZE, length);
        StreamRecordBatch batch = new StreamRecordBatch(
            in.getLong(start + STREAM_ID_OFFSET),
            in.getLong(start + EPOCH_OFFSET),
            in.getLong(start + BASE_OFFSET_OFFSET),
            in.getInt(start + COUNT_OFFSET),
            payload);
        in.position(start + HEADER_SIZE + length);
        return batch;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StreamRecordBatch other)) {
            return false;
        }
        return streamId == other.streamId && epoch == other.epoch && baseOffset == other.baseOffset
            && count == other.count && payload.equals(other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamId, epoch, baseOffset, count, payload);
    }

    @Override
    public String toString() {
        return "StreamRecordBatch(stream=" + streamId + ", epoch=" + epoch + ", offsets=["
            + baseOffset + ", " + endOffset() + "), bytes=" + payload.remaining() + ")";
    }
}
