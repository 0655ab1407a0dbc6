package io.lakestream.controller.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends big-endian primitives to a growing byte array: the writing half of every layout in
 * this module. Not thread-safe: one writer per encoding.
 */
public final class ByteWriter {
    private byte[] bytes;
    private int size;

    public ByteWriter() {
        this(64);
    }

    public ByteWriter(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    public ByteWriter writeByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
        return this;
    }

    public ByteWriter writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    public ByteWriter writeShort(short value) {
        ensure(Short.BYTES);
        ByteBuffer.wrap(bytes, size, Short.BYTES).putShort(value);
        size += Short.BYTES;
        return this;
    }

    public ByteWriter writeInt(int value) {
        ensure(Integer.BYTES);
        ByteBuffer.wrap(bytes, size, Integer.BYTES).putInt(value);
        size += Integer.BYTES;
        return this;
    }

    public ByteWriter writeLong(long value) {
        ensure(Long.BYTES);
        ByteBuffer.wrap(bytes, size, Long.BYTES).putLong(value);
        size += Long.BYTES;
        return this;
    }

    /** An int32 length followed by the UTF-8 bytes. */
    public ByteWriter writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        ensure(utf8.length);
        System.arraycopy(utf8, 0, bytes, size, utf8.length);
        size += utf8.length;
        return this;
    }

    /** An int32 length followed by the bytes. */
    public ByteWriter writeBytes(byte[] value) {
        writeInt(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
