package io.lakestream.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks put their files: under {@code -Dlakestream.bench.dir} (default
 * {@code ./target/bench}), so the WAL and its raw-disk baseline run on the same disk.
 */
final class BenchmarkDirs {
    private BenchmarkDirs() {}

    static Path create(String name) throws IOException {
        Path root = Paths.get(System.getProperty("lakestream.bench.dir", "target/bench"));
        Files.createDirectories(root);
        return Files.createTempDirectory(root, name);
    }

    /** Writes zeros over the whole file so the benchmark measures writes, not allocation. */
    static void preallocate(FileChannel channel, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long position = 0; position < size; position += zeros.capacity()) {
            zeros.clear();
            channel.write(zeros, position);
        }
        channel.force(true);
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
