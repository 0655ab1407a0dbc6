package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectStorage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.iceberg.io.PositionOutputStream;

/**
 * Collects a file's bytes and uploads them as one object on {@link #close()}: in memory up to
 * {@value #MEMORY_BYTES} bytes, then in a temporary file under the spill directory (deleted
 * after the upload), so large Parquet files do not sit in the heap. Nothing is visible in the
 * store before close returns; a stream that is never closed leaves nothing behind there.
 * Not thread-safe.
 */
final class ObjectOutputStream extends PositionOutputStream {
    static final int MEMORY_BYTES = 1 << 20;

    private final ObjectStorage storage;
    private final String location;
    private final String key;
    private final Path spillDir;
    private byte[] memory = new byte[8192];
    private Path spillFile;
    private OutputStream spill;
    private long position;
    private boolean closed;

    ObjectOutputStream(ObjectStorage storage, String location, String key, Path spillDir) {
        this.storage = storage;
        this.location = location;
        this.key = key;
        this.spillDir = spillDir;
    }

    @Override
    public long getPos() {
        return position;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("Stream of " + location + " is closed");
        }
        if (spill == null && position + len > MEMORY_BYTES) {
            startSpilling();
        }
        if (spill != null) {
            spill.write(bytes, off, len);
        } else {
            if (position + len > memory.length) {
                memory = Arrays.copyOf(memory, (int) Math.min(MEMORY_BYTES, Math.max(memory.length * 2L, position + len)));
            }
            System.arraycopy(bytes, off, memory, (int) position, len);
        }
        position += len;
    }

    private void startSpilling() throws IOException {
        Files.createDirectories(spillDir);
        spillFile = Files.createTempFile(spillDir, "upload-", ".tmp");
        spill = new java.io.BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 16);
        spill.write(memory, 0, (int) position);
        memory = null;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (spill == null) {
                upload(ByteBuffer.wrap(memory, 0, (int) position));
                return;
            }
            spill.close();
            try (FileChannel channel = FileChannel.open(spillFile, StandardOpenOption.READ)) {
                upload(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size()));
            }
        } finally {
            memory = null;
            if (spillFile != null) {
                Files.deleteIfExists(spillFile);
            }
        }
    }

    private void upload(ByteBuffer bytes) throws IOException {
        try {
            StorageCalls.await(storage.write(key, bytes), "write " + location);
        } catch (RuntimeException e) {
            throw new IOException("Cannot write " + location + ": " + e.getMessage(), e);
        }
    }
}
