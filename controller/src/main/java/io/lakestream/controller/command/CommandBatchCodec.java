package io.lakestream.controller.command;

import io.lakestream.controller.codec.MalformedDataException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Several commands in one Raft log entry, and their replies in one Raft reply. A client that has
 * more commands ready than it has requests in flight sends them as one batch, so that a log
 * entry, its replication, its fsyncs and its reply are paid once for all of them.
 *
 * <pre>
 * +--------+------+--------+--------------------------------------------------------------+
 * | offset | size | field  |                                                              |
 * +--------+------+--------+--------------------------------------------------------------+
 * | 0      | 1    | marker | {@value #BATCH_MARKER}; a lone command starts with its version |
 * |        |      |        | ({@value CommandCodec#VERSION}) instead                       |
 * | 1      | 4    | count  | int32, at least 1                                            |
 * | 5      | ...  | parts  | count times: int32 length, then that many bytes              |
 * +--------+------+--------+--------------------------------------------------------------+
 * </pre>
 *
 * In a log entry each part is a {@link CommandCodec} encoding; in the reply, part i is the
 * {@link ReplyCodec} encoding of command i's result. Stateless and thread-safe.
 */
public final class CommandBatchCodec {
    public static final byte BATCH_MARKER = 0x42;
    public static final int COUNT_OFFSET = 1;
    public static final int PARTS_OFFSET = 5;

    private CommandBatchCodec() {}

    /** Whether {@code payload} is a batch rather than a lone command. */
    public static boolean isBatch(byte[] payload) {
        return payload.length > 0 && payload[0] == BATCH_MARKER;
    }

    /** Frames {@code parts} (encoded commands, or encoded replies) as one batch. */
    public static byte[] encode(List<byte[]> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one part");
        }
        int size = PARTS_OFFSET;
        for (byte[] part : parts) {
            size += Integer.BYTES + part.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).put(BATCH_MARKER).putInt(parts.size());
        for (byte[] part : parts) {
            buffer.putInt(part.length).put(part);
        }
        return buffer.array();
    }

    /** The parts of a batch, in order. */
    public static List<byte[]> decode(byte[] batch) {
        if (!isBatch(batch)) {
            throw new MalformedDataException("not a batch: it does not start with " + BATCH_MARKER);
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(batch, COUNT_OFFSET, batch.length - COUNT_OFFSET);
            int count = buffer.getInt();
            if (count < 1 || count > buffer.remaining() / Integer.BYTES) {
                throw new MalformedDataException("batch count " + count + " does not fit " + batch.length + " bytes");
            }
            List<byte[]> parts = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int length = buffer.getInt();
                if (length < 0 || length > buffer.remaining()) {
                    throw new MalformedDataException("part " + i + " of " + length + " bytes overruns the batch");
                }
                byte[] part = new byte[length];
                buffer.get(part);
                parts.add(part);
            }
            if (buffer.hasRemaining()) {
                throw new MalformedDataException(buffer.remaining() + " bytes after the last part of the batch");
            }
            return parts;
        } catch (BufferUnderflowException e) {
            throw new MalformedDataException("batch of " + batch.length + " bytes is truncated");
        }
    }
}
