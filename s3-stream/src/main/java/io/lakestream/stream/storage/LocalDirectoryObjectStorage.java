package io.lakestream.stream.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@link ObjectStorage} in a local directory, for the embedded single-node default: the
 * object {@code a/b/c} is the file {@code root/a/b/c}.
 *
 * <p>Durability: a write goes to a temporary file in the target directory, is fsync'd,
 * renamed atomically over the key's file, and the directory is fsync'd, so after a crash a
 * key holds either its old object or the whole new one, never a torn one. Leftover
 * temporary files (names starting with {@value #TEMP_PREFIX}) are never listed.
 *
 * <p>Keys are checked by {@link LocalObjectKeys}: no {@code ..}, no empty segments, nothing
 * that could leave the root. As on a file system, a key cannot be both an object and the
 * prefix directory of another ({@code a} and {@code a/b}); such a write fails. Empty
 * directories left by deletes are kept: removing them would race concurrent writes.
 *
 * <p>Ranged reads of {@value #MAP_THRESHOLD_BYTES} bytes or more return a read-only mapping of
 * the file's range, loaded before the future completes: no copy, and no heap. Objects are
 * never changed in place (a write renames a new file over the key), and a mapping stays valid
 * after its file is deleted or replaced, so a mapped range keeps the bytes it was read with.
 * The mapping is released when the buffer (and every slice of it) is garbage.
 *
 * <p>Thread-safe. All file I/O runs on this storage's own threads; futures complete there.
 */
public final class LocalDirectoryObjectStorage implements ObjectStorage {
    static final String TEMP_PREFIX = LocalObjectKeys.RESERVED_PREFIX + "tmp-";
    public static final int DEFAULT_IO_THREADS = 2;
    /**
     * Ranges at least this long are mapped rather than copied into the heap: a catch-up read of
     * data blocks then allocates nothing per byte and gives the garbage collector nothing to
     * copy. Shorter ones (an object's tail, a small metadata file) are copied, which costs less
     * than setting up and tearing down a mapping.
     */
    static final int MAP_THRESHOLD_BYTES = 256 * 1024;
    /** The most of a heap buffer handed to one write call. */
    static final int WRITE_CHUNK_BYTES = 1 << 20;

    private final Path root;
    private final LocalObjectKeys keys;
    private final ExecutorService io;

    public LocalDirectoryObjectStorage(Path root) {
        this(root, DEFAULT_IO_THREADS);
    }

    /** Stores objects under {@code root} (created if missing), doing I/O on {@code ioThreads} threads. */
    public LocalDirectoryObjectStorage(Path root, int ioThreads) {
        Objects.requireNonNull(root, "root");
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, was " + ioThreads);
        }
        try {
            this.root = Files.createDirectories(root).toRealPath();
        } catch (IOException e) {
            throw new ObjectStorageException("Cannot create object storage directory " + root, e);
        }
        this.keys = new LocalObjectKeys(this.root);
        this.io = Executors.newFixedThreadPool(ioThreads, daemonThreads("lakestream-local-objects-"));
    }

    @Override
    public CompletableFuture<Void> write(String key, ByteBuffer data) {
        ByteBuffer body = data.duplicate();
        return run("write", key, () -> {
            writeAtomically(keys.pathOf(key), body);
            return null;
        });
    }

    /**
     * The object is written to a temporary file, fsync'd, and then hard-linked to the key's
     * file: creating a link fails if the name exists, so of two writers exactly one wins.
     */
    @Override
    public CompletableFuture<Boolean> writeIfAbsent(String key, ByteBuffer data) {
        ByteBuffer body = data.duplicate();
        return run("conditional write", key, () -> createExclusively(keys.pathOf(key), body));
    }

    private boolean createExclusively(Path target, ByteBuffer body) throws IOException {
        Path dir = target.getParent();
        Path temp = writeTempFile(dir, body);
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temp);
        }
        fsyncDirectory(dir);
        return true;
    }

    /** {@code body} in a new temporary file of {@code dir}, fsync'd; the caller links or moves it into place. */
    private Path writeTempFile(Path dir, ByteBuffer body) throws IOException {
        createDirectoriesDurably(dir);
        Path temp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // The JDK writes a heap buffer through a temporary direct buffer as large as the write.
            // WRITE_CHUNK_BYTES at a time, it reuses one per thread, instead of allocating and zeroing
            // an object's size of native memory for each object.
            int chunk = body.isDirect() ? Integer.MAX_VALUE : WRITE_CHUNK_BYTES;
            while (body.hasRemaining()) {
                int written = channel.write(body.slice(body.position(), Math.min(body.remaining(), chunk)));
                body.position(body.position() + written);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private void writeAtomically(Path target, ByteBuffer body) throws IOException {
        Path dir = target.getParent();
        Path temp = writeTempFile(dir, body);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        // The rename is durable only once the directory entry is.
        fsyncDirectory(dir);
    }

    /** Creates {@code dir} and missing parents, syncing each parent that gained an entry. */
    private void createDirectoriesDurably(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createDirectoriesDurably(dir.getParent());
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e; // an object already has this key's prefix as its name
            }
            return;
        }
        fsyncDirectory(dir.getParent());
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** An empty range ({@code start == end}) completes at once, without touching the disk. */
    @Override
    public CompletableFuture<ByteBuffer> rangeRead(String key, long start, long end) {
        return rangeRead(key, start, end, Function.identity());
    }

    /** Decodes on the I/O thread that read the bytes; an empty range on the caller. */
    @Override
    public <T> CompletableFuture<T> rangeRead(String key, long start, long end,
                                              Function<ByteBuffer, ? extends T> decode) {
        if (start < 0 || end < start) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "Invalid range [" + start + ", " + end + ") for key '" + key + "'"));
        }
        if (start == end) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0)).thenApply(decode);
        }
        return run("ranged read [" + start + ", " + end + ")", key, () -> read(key, start, end), decode);
    }

    /**
     * No stat of the file before it is opened: that was a syscall for every read. A missing key
     * fails the open; a key that is the prefix of others (a directory, which Linux opens for
     * reading) fails the size check or the read, and is told apart only then.
     */
    private ByteBuffer read(String key, long start, long end) throws IOException {
        Path path = keys.pathOf(key);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (end > size) {
                requireFile(key, path, null);
                throw new ObjectStorageException("Ranged read of '" + key + "' in " + root
                        + " failed: the range [" + start + ", " + end
                        + ") runs past the end of the object (size " + size + ")");
            }
            int length = Math.toIntExact(end - start);
            if (length >= MAP_THRESHOLD_BYTES) {
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, start, length);
                // Reads the whole range into the page cache now (one readahead for all of it), on this
                // I/O thread, instead of page by page wherever the bytes are first touched.
                mapped.load();
                return mapped;
            }
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, start + buffer.position()) < 0) {
                    throw new ObjectStorageException("Ranged read of '" + key + "' in " + root
                            + " failed: the object shrank while being read");
                }
            }
            return buffer.flip();
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key, root.toString(), e);
        } catch (IOException e) {
            requireFile(key, path, e);
            throw e;
        }
    }

    /** Fails with {@link ObjectNotFoundException} unless {@code path} is a regular file. */
    private void requireFile(String key, Path path, IOException cause) {
        if (!Files.isRegularFile(path)) {
            throw new ObjectNotFoundException(key, root.toString(), cause);
        }
    }

    @Override
    public CompletableFuture<List<ObjectInfo>> list(String prefix) {
        return run("list", prefix + "*", () -> {
            List<ObjectInfo> objects = new ArrayList<>();
            Path start = keys.deepestDirectoryOf(prefix);
            if (Files.isDirectory(start)) {
                Files.walkFileTree(start, new ObjectCollector(prefix, objects));
            }
            objects.sort(Comparator.comparing(ObjectInfo::key));
            return List.copyOf(objects);
        });
    }

    /** Collects the regular files under a directory whose keys start with a prefix. */
    private final class ObjectCollector extends SimpleFileVisitor<Path> {
        private final String prefix;
        private final List<ObjectInfo> objects;

        ObjectCollector(String prefix, List<ObjectInfo> objects) {
            this.prefix = prefix;
            this.objects = objects;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(LocalObjectKeys.RESERVED_PREFIX)) {
                String key = keys.keyOf(file);
                if (key.startsWith(prefix)) {
                    objects.add(new ObjectInfo(key, attrs.size()));
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // renamed or deleted while we walked
            }
            throw e;
        }
    }

    @Override
    public CompletableFuture<Void> delete(Collection<String> keysToDelete) {
        List<String> all = List.copyOf(keysToDelete);
        String described = all.isEmpty() ? "(none)" : all.get(0) + (all.size() > 1 ? " and " + (all.size() - 1) + " more" : "");
        return run("delete", described, () -> {
            List<Path> paths = new ArrayList<>(all.size());
            for (String key : all) {
                paths.add(keys.pathOf(key)); // validate every key before deleting any
            }
            for (Path path : paths) {
                Files.deleteIfExists(path);
            }
            return null;
        });
    }

    /** Stops the I/O threads after the operations already submitted. */
    @Override
    public void close() {
        io.shutdown();
    }

    /** Runs {@code body} on the I/O threads, failures named with operation, key and root. */
    private <T> CompletableFuture<T> run(String operation, String key, IoCall<T> body) {
        return run(operation, key, body, Function.identity());
    }

    /**
     * Runs {@code body} on the I/O threads, failures named with operation, key and root, and
     * then {@code then} on its result on the same thread; what {@code then} throws is the
     * caller's failure, passed on as it is.
     */
    private <R, T> CompletableFuture<T> run(String operation, String key, IoCall<R> body,
                                            Function<? super R, ? extends T> then) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            io.execute(() -> {
                R value;
                try {
                    value = body.call();
                } catch (ObjectStorageException | IllegalArgumentException e) {
                    result.completeExceptionally(e);
                    return;
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(new ObjectStorageException(
                            "Local " + operation + " of '" + key + "' in " + root + " failed: " + e, e));
                    return;
                }
                try {
                    result.complete(then.apply(value));
                } catch (Throwable e) { // an Error too: the future must complete, as thenApply's would
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException rejected) {
            result.completeExceptionally(new ObjectStorageException(
                    "Local " + operation + " of '" + key + "' in " + root + " failed: storage is closed", rejected));
        }
        return result;
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static ThreadFactory daemonThreads(String namePrefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, namePrefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
