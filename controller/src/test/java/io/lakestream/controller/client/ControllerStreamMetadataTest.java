package io.lakestream.controller.client;

import io.lakestream.controller.raft.ControllerCluster;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamMetadataContractTest;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The s3-stream metadata contract, enforced by a real one-voter controller over Ratis and gRPC. */
class ControllerStreamMetadataTest extends StreamMetadataContractTest {
    @TempDir
    Path dir;
    private ControllerCluster cluster;

    @Override
    protected StreamMetadata createMetadata(LongSupplier clock, long destroyGraceMillis) {
        cluster = ControllerCluster.start(dir, 1, config -> config.withClock(clock, destroyGraceMillis));
        cluster.awaitLeader();
        return new ControllerStreamMetadata(cluster.newClient());
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }
}
