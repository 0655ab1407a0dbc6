package io.lakestream.stream.storage;

import java.nio.file.Path;

/**
 * Maps object keys to files under a root directory and back. A key is one or more
 * {@code /}-separated segments; each segment must be non-empty, must not be {@code .} or
 * {@code ..}, and must not start with {@value #RESERVED_PREFIX} (kept for temporary files).
 * Backslashes and NUL are rejected so that a key cannot name a path on any platform
 * outside the root. Stateless and thread-safe.
 */
final class LocalObjectKeys {
    /** File names starting with this are the storage's own, never objects. */
    static final String RESERVED_PREFIX = ".lakestream-";

    private final Path root;

    LocalObjectKeys(Path root) {
        this.root = root;
    }

    /** The file holding {@code key}. Throws {@link IllegalArgumentException} for an unsafe key. */
    Path pathOf(String key) {
        validate(key);
        Path path = root.resolve(key).normalize();
        // Belt and braces: validation already rules out every way to leave the root.
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("Object key '" + key + "' escapes the storage root");
        }
        return path;
    }

    /** The key of a file under the root. */
    String keyOf(Path file) {
        return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    /**
     * The deepest directory that holds every key starting with {@code prefix}: for
     * {@code wal/0001} it is {@code root/wal}. Walking from there skips unrelated keys.
     */
    Path deepestDirectoryOf(String prefix) {
        int slash = prefix.lastIndexOf('/');
        if (slash <= 0) {
            return root;
        }
        String directory = prefix.substring(0, slash);
        try {
            return pathOf(directory);
        } catch (IllegalArgumentException notAKeyPrefix) {
            return root; // e.g. "a//": no key can start with it, the walk finds nothing
        }
    }

    private static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("Object key must not be empty");
        }
        if (key.indexOf('\\') >= 0 || key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Object key '" + key + "' contains '\\' or NUL");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("Object key '" + key
                        + "' has an empty, '.' or '..' segment");
            }
            if (segment.startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException("Object key '" + key + "' has a segment starting with '"
                        + RESERVED_PREFIX + "', which is reserved");
            }
        }
    }
}
