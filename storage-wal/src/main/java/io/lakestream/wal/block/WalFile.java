package io.lakestream.wal.block;

import com.sun.nio.file.ExtendedOpenOption;
import io.lakestream.wal.WalException;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The preallocated WAL file: two header slots, then the circular data region. Maps logical
 * positions to file offsets ({@code DATA_REGION_OFFSET + position % capacity}) and keeps
 * the current header.
 *
 * <p>Writes are whole {@value #BLOCK_SIZE}-byte blocks, and go straight to the device (direct
 * I/O) where the file system allows it. Through the page cache, an fsync writes back every
 * dirty page cache folio whole, and the kernel caches a file in folios of up to a few MiB: an
 * fsync'd group of a few KiB cost a MiB of device writes. Reads go through the page cache,
 * which the kernel keeps coherent with direct writes.
 *
 * <p>Header writes alternate between the slots, each followed by an fsync, so a write torn
 * by a crash damages only the slot being written and the other still holds the previous
 * header. Slots are a page apart so that one write never touches both.
 *
 * <p>Not thread-safe for header writes: {@link BlockWal} writes headers from one thread at a
 * time. Positional reads and writes may come from any thread.
 */
final class WalFile implements Closeable {

    /** The unit of every write: a group's writes start and end on block boundaries. */
    static final int BLOCK_SIZE = 4096;
    static final int HEADER_SLOT_SIZE = BLOCK_SIZE;
    static final int HEADER_SLOT_COUNT = 2;
    static final long DATA_REGION_OFFSET = (long) HEADER_SLOT_SIZE * HEADER_SLOT_COUNT;

    private static final System.Logger LOG = System.getLogger(WalFile.class.getName());
    private static final int ZERO_FILL_CHUNK = 1024 * 1024;

    private final Path path;
    /** Reads, and writes when the file system has no direct I/O. */
    private final FileChannel channel;
    /** Writes: opened with direct I/O where the file system allows it, else {@link #channel}. */
    private final FileChannel writeChannel;
    private final long capacity;
    private final ByteBuffer headerBlock = allocateAligned(HEADER_SLOT_SIZE);
    private WalHeader header;
    private int currentSlot;

    private WalFile(Path path, FileChannel channel, FileChannel writeChannel, WalHeader header, int currentSlot) {
        this.path = path;
        this.channel = channel;
        this.writeChannel = writeChannel;
        this.capacity = header.capacity();
        this.header = header;
        this.currentSlot = currentSlot;
    }

    /**
     * A direct buffer of {@code size} bytes (rounded up to whole blocks) whose start is
     * aligned on a block, as direct I/O requires of the memory it writes from.
     */
    static ByteBuffer allocateAligned(int size) {
        int blocks = (int) alignUp(size) / BLOCK_SIZE;
        return ByteBuffer.allocateDirect((blocks + 1) * BLOCK_SIZE).alignedSlice(BLOCK_SIZE);
    }

    static long alignDown(long position) {
        return position - Math.floorMod(position, BLOCK_SIZE);
    }

    static long alignUp(long position) {
        return alignDown(position + BLOCK_SIZE - 1);
    }

    /**
     * Opens the WAL file at {@code path}, or creates it if it does not exist.
     *
     * @throws WalException if the file has no valid header or another capacity
     */
    static WalFile openOrCreate(Path path, long capacity) throws IOException {
        if (!Files.exists(path)) {
            create(path, capacity);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = openDirect(path);
        FileChannel writeChannel = direct != null ? direct : channel;
        if (direct == null) {
            LOG.log(Level.INFO, "WAL " + path + " is written through the page cache: the file system has no direct I/O"
                    + " in blocks of " + BLOCK_SIZE + " bytes");
        }
        try {
            WalFile file = open(path, channel, writeChannel);
            if (file.capacity != capacity) {
                throw new WalException("WAL " + path + " was created with capacity " + file.capacity
                        + " bytes but is configured with " + capacity + " bytes");
            }
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            writeChannel.close();
            throw e;
        }
    }

    /**
     * A channel that writes to {@code path} with direct I/O, or null if the file system cannot
     * (tmpfs before Linux 6.6, some network file systems, macOS) or its blocks do not divide
     * {@link #BLOCK_SIZE}.
     */
    private static FileChannel openDirect(Path path) {
        try {
            long blockSize = Files.getFileStore(path).getBlockSize();
            if (blockSize > 0 && BLOCK_SIZE % blockSize == 0) {
                return FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            }
            LOG.log(Level.DEBUG, () -> "no direct I/O for " + path + ": its block size is " + blockSize + " bytes");
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.DEBUG, "no direct I/O for " + path, e);
        }
        return null;
    }

    /**
     * Creates the file under a temporary name, zero-fills it and writes the first header,
     * then renames it: a crash never leaves a half-made WAL at {@code path}. Zero-filling
     * (rather than a sparse file) allocates every block up front, so later fsyncs flush data
     * only, not block allocation metadata.
     */
    private static void create(Path path, long capacity) throws IOException {
        Path temporary = path.resolveSibling(path.getFileName() + ".creating");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            // Zeros written directly do not fill the page cache, which would keep them for no reader.
            FileChannel direct = openDirect(temporary);
            try {
                ByteBuffer zeros = allocateAligned(ZERO_FILL_CHUNK);
                long fileSize = DATA_REGION_OFFSET + capacity;
                for (long offset = 0; offset < fileSize; offset += ZERO_FILL_CHUNK) {
                    zeros.clear().limit((int) Math.min(ZERO_FILL_CHUNK, fileSize - offset));
                    writeFully(direct != null ? direct : channel, zeros, offset);
                }
            } finally {
                if (direct != null) {
                    direct.close();
                }
            }
            writeFully(channel, WalHeader.initial(capacity).encode(), slotOffset(0));
            channel.force(true);
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(path.toAbsolutePath().getParent());
    }

    private static WalFile open(Path path, FileChannel channel, FileChannel writeChannel) throws IOException {
        WalHeader best = null;
        int bestSlot = -1;
        String[] problems = new String[HEADER_SLOT_COUNT];
        for (int slot = 0; slot < HEADER_SLOT_COUNT; slot++) {
            ByteBuffer bytes = ByteBuffer.allocate(WalHeader.SIZE);
            readFully(channel, bytes, slotOffset(slot));
            try {
                WalHeader candidate = WalHeader.decode(bytes.flip());
                if (best == null || candidate.sequence() > best.sequence()) {
                    best = candidate;
                    bestSlot = slot;
                }
            } catch (WalHeader.InvalidHeaderException e) {
                problems[slot] = e.getMessage();
            }
        }
        if (best == null) {
            throw new WalException("WAL " + path + " has no valid header: slot 0: " + problems[0]
                    + "; slot 1: " + problems[1]);
        }
        for (int slot = 0; slot < HEADER_SLOT_COUNT; slot++) {
            // The slot being written when a crash hit is expected to be invalid; only unusual
            // if it happens repeatedly, so it is worth a warning but not a failure.
            if (problems[slot] != null && slot != bestSlot && best.sequence() > 1) {
                LOG.log(Level.WARNING, "WAL " + path + ": ignoring header slot " + slot + " (" + problems[slot]
                        + "); using slot " + bestSlot);
            }
        }
        return new WalFile(path, channel, writeChannel, best, bestSlot);
    }

    Path path() {
        return path;
    }

    long capacity() {
        return capacity;
    }

    /** Whether writes bypass the page cache. */
    boolean directIo() {
        return writeChannel != channel;
    }

    WalHeader header() {
        return header;
    }

    /** Makes {@code next} the current header: writes it to the other slot and fsyncs. */
    void writeHeader(WalHeader next) throws IOException {
        int slot = (currentSlot + 1) % HEADER_SLOT_COUNT;
        headerBlock.clear().put(next.encode());
        while (headerBlock.hasRemaining()) {
            headerBlock.put((byte) 0);
        }
        writeFully(writeChannel, headerBlock.flip(), slotOffset(slot));
        writeChannel.force(false);
        header = next;
        currentSlot = slot;
    }

    /** Bytes from {@code position} to the end of its lap of the data region. */
    long lapRemaining(long position) {
        return capacity - position % capacity;
    }

    /** The position at which the lap after {@code position}'s starts. */
    long nextLapStart(long position) {
        return position + lapRemaining(position);
    }

    /**
     * Writes all of {@code source}'s remaining bytes at {@code position}; never wraps. The
     * position and the number of bytes are whole blocks, and {@code source} is a buffer from
     * {@link #allocateAligned} whose position is a whole number of blocks.
     */
    void write(ByteBuffer source, long position) throws IOException {
        assert source.remaining() <= lapRemaining(position) : "a write must not cross the end of a lap";
        assert position % BLOCK_SIZE == 0 && source.remaining() % BLOCK_SIZE == 0 : "a write of whole blocks";
        writeFully(writeChannel, source, fileOffset(position));
    }

    /**
     * Reads into {@code target} from {@code position} until it is full or the file ends;
     * never wraps.
     *
     * @return whether {@code target} was filled
     */
    boolean read(ByteBuffer target, long position) throws IOException {
        return readFully(channel, target, fileOffset(position));
    }

    /** Flushes written data to the device (fdatasync): the file's size never changes. */
    void force() throws IOException {
        writeChannel.force(false);
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            writeChannel.close();
        }
    }

    private long fileOffset(long position) {
        return DATA_REGION_OFFSET + position % capacity;
    }

    private static long slotOffset(int slot) {
        return (long) slot * HEADER_SLOT_SIZE;
    }

    private static void writeFully(FileChannel channel, ByteBuffer source, long offset) throws IOException {
        long at = offset;
        while (source.hasRemaining()) {
            at += channel.write(source, at);
        }
    }

    private static boolean readFully(FileChannel channel, ByteBuffer target, long offset) throws IOException {
        long at = offset;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                return false;
            }
            at += read;
        }
        return true;
    }

    /** Makes a rename durable. Some platforms cannot open a directory; they need no fsync. */
    private static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot fsync directory " + directory, e);
        }
    }
}
