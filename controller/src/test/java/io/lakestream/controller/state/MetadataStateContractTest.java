package io.lakestream.controller.state;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataContractTest;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The s3-stream metadata contract, enforced by the RocksDB state through the command codec, without Raft. */
class MetadataStateContractTest extends StreamMetadataContractTest {
    @TempDir
    Path dir;
    private MetadataState state;

    @Override
    protected StreamMetadata createMetadata(LongSupplier clock, long destroyGraceMillis) {
        state = MetadataState.open(dir.resolve("db"), "test-cluster", destroyGraceMillis);
        return new ControllerStreamMetadata(new LocalControllerChannel(state, clock));
    }

    @AfterEach
    void closeState() {
        state.close();
    }
}
