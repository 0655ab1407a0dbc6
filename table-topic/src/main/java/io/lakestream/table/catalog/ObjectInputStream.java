package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.iceberg.io.RangeReadable;
import org.apache.iceberg.io.SeekableInputStream;

/**
 * Reads an object of known length with ranged GETs: sequential reads go through a buffer of
 * {@value #BUFFER_BYTES} bytes; reads at least that large, and Parquet's positioned reads
 * ({@link RangeReadable}), fetch exactly the bytes asked for. Not thread-safe.
 */
final class ObjectInputStream extends SeekableInputStream implements RangeReadable {
    static final int BUFFER_BYTES = 1 << 20;

    private final ObjectStorage storage;
    private final String location;
    private final String key;
    private final long length;
    private long position;
    /** The bytes [bufferStart, bufferStart + buffer.limit()) of the object, or null. */
    private ByteBuffer buffer;
    private long bufferStart;
    private boolean closed;

    ObjectInputStream(ObjectStorage storage, String location, String key, long length) {
        this.storage = storage;
        this.location = location;
        this.key = key;
        this.length = length;
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void seek(long newPos) throws IOException {
        requireOpen();
        if (newPos < 0) {
            throw new EOFException("Cannot seek to " + newPos + " in " + location);
        }
        position = newPos;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] bytes, int off, int len) throws IOException {
        requireOpen();
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int wanted = (int) Math.min(len, length - position);
        if (wanted >= BUFFER_BYTES) {
            ByteBuffer direct = fetch(position, position + wanted);
            direct.get(bytes, off, wanted);
            position += wanted;
            return wanted;
        }
        if (buffer == null || position < bufferStart || position >= bufferStart + buffer.limit()) {
            buffer = fetch(position, Math.min(length, position + BUFFER_BYTES));
            bufferStart = position;
        }
        int inBuffer = (int) (position - bufferStart);
        int count = Math.min(wanted, buffer.limit() - inBuffer);
        buffer.duplicate().position(inBuffer).get(bytes, off, count);
        position += count;
        return count;
    }

    @Override
    public long skip(long n) throws IOException {
        requireOpen();
        long skipped = Math.max(0, Math.min(n, length - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, length - position));
    }

    @Override
    public void readFully(long filePosition, byte[] bytes, int offset, int len) throws IOException {
        requireOpen();
        if (filePosition < 0 || filePosition + len > length) {
            throw new EOFException("Cannot read [" + filePosition + ", " + (filePosition + len) + ") of " + location
                + ", which has " + length + " bytes");
        }
        fetch(filePosition, filePosition + len).get(bytes, offset, len);
    }

    @Override
    public int readTail(byte[] bytes, int offset, int len) throws IOException {
        requireOpen();
        int count = (int) Math.min(len, length);
        fetch(length - count, length).get(bytes, offset, count);
        return count;
    }

    private ByteBuffer fetch(long start, long end) throws IOException {
        try {
            return StorageCalls.await(storage.rangeRead(key, start, end), "read " + location);
        } catch (RuntimeException e) {
            throw new IOException("Cannot read [" + start + ", " + end + ") of " + location + ": " + e.getMessage(), e);
        }
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("Stream of " + location + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        buffer = null;
    }
}
