package io.lakestream.controller.codec;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads big-endian primitives written by {@link ByteWriter}. A truncated or corrupt input
 * fails with {@link MalformedDataException}, never with a buffer exception. Not thread-safe.
 */
public final class ByteReader {
    private final ByteBuffer buffer;

    public ByteReader(byte[] bytes) {
        this(ByteBuffer.wrap(bytes));
    }

    public ByteReader(ByteBuffer buffer) {
        this.buffer = buffer.slice();
    }

    public byte readByte() {
        try {
            return buffer.get();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public boolean readBoolean() {
        byte value = readByte();
        if (value != 0 && value != 1) {
            throw new MalformedDataException("boolean byte " + value + " at position " + (buffer.position() - 1));
        }
        return value == 1;
    }

    public short readShort() {
        try {
            return buffer.getShort();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public int readInt() {
        try {
            return buffer.getInt();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public long readLong() {
        try {
            return buffer.getLong();
        } catch (BufferUnderflowException e) {
            throw truncated();
        }
    }

    public String readString() {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    /** Reads what {@link ByteWriter#writeBytes} wrote. */
    public byte[] readBytes() {
        return readBytes(readInt());
    }

    /** Reads {@code length} bytes. */
    public byte[] readBytes(int length) {
        if (length < 0 || length > buffer.remaining()) {
            throw new MalformedDataException("value of " + length + " bytes with " + buffer.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    /** Reads a collection size and checks that at least {@code minElementBytes} each remain. */
    public int readCount(int minElementBytes) {
        int count = readInt();
        if (count < 0 || (long) count * minElementBytes > buffer.remaining()) {
            throw new MalformedDataException("count " + count + " with " + buffer.remaining() + " bytes left");
        }
        return count;
    }

    public int remaining() {
        return buffer.remaining();
    }

    /** Fails unless every byte was read: trailing bytes mean the layouts disagree. */
    public void expectEnd() {
        if (buffer.hasRemaining()) {
            throw new MalformedDataException(buffer.remaining() + " unread trailing bytes");
        }
    }

    private MalformedDataException truncated() {
        return new MalformedDataException("truncated at position " + buffer.position() + " of " + buffer.limit());
    }
}
