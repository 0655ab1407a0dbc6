package io.lakestream.wal.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlockWalConfigTest {

    private static final Path PATH = Path.of("wal");

    @Test
    void defaultsCapTheBatchAtHalfASmallCapacity() {
        BlockWalConfig config = BlockWalConfig.builder(PATH, 64 * 1024).build();

        assertThat(config.maxBatchBytes()).as("default max batch bytes for a 64 KiB WAL").isEqualTo(32 * 1024);
        assertThat(config.maxRecordBytes()).as("largest record").isEqualTo(32 * 1024 - WalFrame.HEADER_SIZE);
        assertThat(config.appendTimeout()).isEqualTo(BlockWalConfig.DEFAULT_APPEND_TIMEOUT);
    }

    @Test
    void rejectsABatchLargerThanHalfTheCapacity() {
        assertThatThrownBy(() -> BlockWalConfig.builder(PATH, 64 * 1024).maxBatchBytes(32 * 1024 + 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max batch bytes must be in")
                .hasMessageContaining("was 32769");
    }

    @Test
    void rejectsATinyOrUnalignedCapacityAndANegativeTimeout() {
        assertThatThrownBy(() -> BlockWalConfig.builder(PATH, 100).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity must be at least");
        assertThatThrownBy(() -> BlockWalConfig.builder(PATH, 64 * 1024 + 100).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity must be a multiple of 4096 bytes").hasMessageContaining("was 65636");
        assertThatThrownBy(() -> BlockWalConfig.builder(PATH, 8192).appendTimeout(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
    }
}
