package io.lakestream.wal.block;

import com.sun.nio.file.ExtendedOpenOption;
import io.lakestream.wal.WalException;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The preallocated WAL file: two header slots, then the circular data region. Maps logical
 * positions to file offsets ({@code DATA_REGION_OFFSET + position % capacity}) and keeps
 * the current header.
 *
 * <p>Writes are whole {@value #BLOCK_SIZE}-byte blocks. Every read and write goes straight to
 * the device (direct I/O) where the file system allows it, and through the page cache
 * otherwise. Through the page cache, an fsync writes back every dirty page cache folio whole,
 * and the kernel caches a file in folios of up to a few MiB: an fsync'd group of a few KiB cost
 * a MiB of device writes. Reads are direct too, so that the page cache never holds a copy of
 * the log that a direct write could leave stale. A scan reads the device through a buffer of
 * {@value #READ_BUFFER_SIZE} bytes, a buffer at a time; a probe reads the blocks it needs.
 *
 * <p>Header writes alternate between the slots, each followed by an fsync, so a write torn
 * by a crash damages only the slot being written and the other still holds the previous
 * header. Slots are a page apart so that one write never touches both.
 *
 * <p>Not thread-safe: one thread at a time reads and writes, first recovery's, then the
 * writer thread of {@link BlockWal}.
 */
final class WalFile implements Closeable {

    /** The unit of every write: a group's writes start and end on block boundaries. */
    static final int BLOCK_SIZE = BlockWalConfig.BLOCK_BYTES;
    static final int HEADER_SLOT_SIZE = BLOCK_SIZE;
    static final int HEADER_SLOT_COUNT = 2;
    static final long DATA_REGION_OFFSET = (long) HEADER_SLOT_SIZE * HEADER_SLOT_COUNT;

    private static final System.Logger LOG = System.getLogger(WalFile.class.getName());
    private static final int ZERO_FILL_CHUNK = 1024 * 1024;
    private static final int READ_BUFFER_SIZE = 1024 * 1024;
    /** Enough for any skip frame's payload, or the rest of any block. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(2 * BLOCK_SIZE).asReadOnlyBuffer();

    private final Path path;
    private final FileChannel channel;
    private final boolean directIo;
    private final long capacity;
    private final ByteBuffer headerBlock = allocateAligned(HEADER_SLOT_SIZE);
    /** The file's bytes from {@link #readStart} to {@link #readEnd}, as last read. */
    private final ByteBuffer readBuffer = allocateAligned(READ_BUFFER_SIZE);
    private long readStart;
    private long readEnd;
    private WalHeader header;
    private int currentSlot;

    private WalFile(Path path, FileChannel channel, boolean directIo, WalHeader header, int currentSlot) {
        this.path = path;
        this.channel = channel;
        this.directIo = directIo;
        this.capacity = header.capacity();
        this.header = header;
        this.currentSlot = currentSlot;
    }

    /**
     * A direct buffer of {@code size} bytes (rounded up to whole blocks) whose start is
     * aligned on a block, as direct I/O requires of the memory it reads into and writes from.
     */
    static ByteBuffer allocateAligned(int size) {
        int bytes = (int) alignUp(size);
        // alignedSlice keeps every whole block: all of them if the allocation happens to be aligned.
        return ByteBuffer.allocateDirect(bytes + BLOCK_SIZE).alignedSlice(BLOCK_SIZE).slice(0, bytes);
    }

    /** Puts {@code length} zeros, at most two blocks, at {@code target}'s position and advances it. */
    static void putZeros(ByteBuffer target, int length) {
        int position = target.position();
        target.put(position, ZEROS, 0, length).position(position + length);
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
        FileChannel direct = openDirect(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (direct == null) {
            LOG.log(Level.INFO, "WAL " + path + " goes through the page cache: the file system has no direct I/O"
                    + " in blocks of " + BLOCK_SIZE + " bytes");
        }
        FileChannel channel = direct != null ? direct
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            WalFile file = open(path, channel, direct != null);
            if (file.capacity != capacity) {
                throw new WalException("WAL " + path + " was created with capacity " + file.capacity
                        + " bytes but is configured with " + capacity + " bytes");
            }
            return file;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * A channel on {@code path} with direct I/O, or null if the file system cannot (tmpfs
     * before Linux 6.6, some network file systems, macOS) or its blocks do not divide
     * {@link #BLOCK_SIZE}.
     */
    private static FileChannel openDirect(Path path, OpenOption... options) {
        try {
            long blockSize = Files.getFileStore(path.toAbsolutePath().getParent()).getBlockSize();
            if (blockSize > 0 && BLOCK_SIZE % blockSize == 0) {
                Set<OpenOption> withDirect = new HashSet<>(List.of(options));
                withDirect.add(ExtendedOpenOption.DIRECT);
                return FileChannel.open(path, withDirect);
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
        FileChannel direct = openDirect(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try (FileChannel channel = direct != null ? direct : FileChannel.open(temporary, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = allocateAligned(ZERO_FILL_CHUNK);
            long fileSize = DATA_REGION_OFFSET + capacity;
            for (long offset = 0; offset < fileSize; offset += ZERO_FILL_CHUNK) {
                zeros.clear().limit((int) Math.min(ZERO_FILL_CHUNK, fileSize - offset));
                writeFully(channel, zeros, offset);
            }
            ByteBuffer slot = zeros.clear().limit(HEADER_SLOT_SIZE).put(WalHeader.initial(capacity).encode());
            writeFully(channel, slot.position(0), slotOffset(0));
            channel.force(true);
        }
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(path.toAbsolutePath().getParent());
    }

    private static WalFile open(Path path, FileChannel channel, boolean directIo) throws IOException {
        ByteBuffer slots = allocateAligned(HEADER_SLOT_SIZE * HEADER_SLOT_COUNT);
        if (!readFully(channel, slots, 0)) {
            throw new WalException("WAL " + path + " is shorter than its header slots");
        }
        WalHeader best = null;
        int bestSlot = -1;
        String[] problems = new String[HEADER_SLOT_COUNT];
        for (int slot = 0; slot < HEADER_SLOT_COUNT; slot++) {
            ByteBuffer bytes = slots.slice((int) slotOffset(slot), WalHeader.SIZE);
            try {
                WalHeader candidate = WalHeader.decode(bytes);
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
        return new WalFile(path, channel, directIo, best, bestSlot);
    }

    Path path() {
        return path;
    }

    long capacity() {
        return capacity;
    }

    /** Whether reads and writes bypass the page cache. */
    boolean directIo() {
        return directIo;
    }

    WalHeader header() {
        return header;
    }

    /** Makes {@code next} the current header: writes it to the other slot and fsyncs. */
    void writeHeader(WalHeader next) throws IOException {
        int slot = (currentSlot + 1) % HEADER_SLOT_COUNT;
        headerBlock.clear().put(next.encode());
        putZeros(headerBlock, headerBlock.remaining());
        writeAt(headerBlock.flip(), slotOffset(slot));
        channel.force(false);
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
        writeAt(source, fileOffset(position));
    }

    private void writeAt(ByteBuffer source, long fileOffset) throws IOException {
        assert fileOffset % BLOCK_SIZE == 0 && source.remaining() % BLOCK_SIZE == 0 : "a write of whole blocks";
        readEnd = readStart; // what the read buffer holds may be stale now
        writeFully(channel, source, fileOffset);
    }

    /**
     * Reads into {@code target} from {@code position} until it is full or the file ends;
     * never wraps.
     *
     * @return whether {@code target} was filled
     */
    boolean read(ByteBuffer target, long position) throws IOException {
        long offset = fileOffset(position);
        if (!directIo) {
            return readFully(channel, target, offset);
        }
        while (target.hasRemaining()) {
            if ((offset < readStart || offset >= readEnd) && !fillReadBuffer(offset, target.remaining())) {
                return false;
            }
            int length = (int) Math.min(target.remaining(), readEnd - offset);
            target.put(target.position(), readBuffer, (int) (offset - readStart), length);
            target.position(target.position() + length);
            offset += length;
        }
        return true;
    }

    /**
     * Reads the blocks from the one holding {@code offset} into the read buffer: a whole buffer
     * if the read goes on where the buffer ended (a scan), else the blocks holding the
     * {@code wanted} bytes (a probe). False at the end of the file.
     */
    private boolean fillReadBuffer(long offset, int wanted) throws IOException {
        boolean scanning = offset == readEnd;
        readStart = alignDown(offset);
        readEnd = readStart; // empty until the read succeeds
        readBuffer.clear();
        if (!scanning) {
            readBuffer.limit((int) Math.min(readBuffer.capacity(), alignUp(offset + wanted) - readStart));
        }
        while (readBuffer.hasRemaining()) {
            int read = channel.read(readBuffer, readStart + readBuffer.position());
            if (read <= 0 || readBuffer.position() % BLOCK_SIZE != 0) {
                break; // the end of the file: a direct read is short only there
            }
        }
        readEnd = readStart + readBuffer.position();
        return readEnd > offset;
    }

    /** Flushes written data to the device (fdatasync): the file's size never changes. */
    void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
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
