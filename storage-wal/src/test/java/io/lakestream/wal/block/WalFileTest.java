package io.lakestream.wal.block;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalFileTest {

    @TempDir
    Path directory;

    @Test
    void writesBypassThePageCacheWhereTheFileSystemAllowsIt() throws IOException {
        boolean fileSystemHasDirectIo = directIoWorks(directory.resolve("probe"));

        try (WalFile file = WalFile.openOrCreate(directory.resolve("wal"), 64 * 1024)) {
            assertThat(file.directIo()).as("direct I/O for a WAL in %s", directory).isEqualTo(fileSystemHasDirectIo);
        }
    }

    @Test
    void alignedBuffersStartOnABlockAndHoldExactlyTheBlocksAskedFor() {
        // Many, since an allocation that happens to be aligned already is the case to catch.
        for (int i = 0; i < 1000; i++) {
            var buffer = WalFile.allocateAligned(WalFile.BLOCK_SIZE - i % 2);

            assertThat(buffer.isDirect()).isTrue();
            assertThat(buffer.alignmentOffset(0, WalFile.BLOCK_SIZE)).as("offset of the start from a block").isZero();
            assertThat(buffer.capacity()).as("capacity of allocation %d", i).isEqualTo(WalFile.BLOCK_SIZE);
        }
    }

    private static boolean directIoWorks(Path probe) {
        try {
            Files.write(probe, new byte[WalFile.BLOCK_SIZE]);
            try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT)) {
                return channel.write(WalFile.allocateAligned(WalFile.BLOCK_SIZE), 0) == WalFile.BLOCK_SIZE;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
