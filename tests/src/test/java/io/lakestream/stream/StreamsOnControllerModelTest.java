package io.lakestream.stream;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.raft.ControllerCluster;
import io.lakestream.stream.metadata.StreamMetadata;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * The stream model test (append, fetch, trim, upload, compaction, crash restarts, on a block
 * or object WAL and an S3 server) with its metadata in a real one-voter controller: Ratis
 * over gRPC on loopback, state in RocksDB.
 */
class StreamsOnControllerModelTest extends StreamModelTest {
    private ControllerCluster controller;

    @Override
    protected StreamMetadata createMetadata(Path dir) {
        controller = ControllerCluster.start(dir, 1, UnaryOperator.identity());
        controller.awaitLeader();
        return new ControllerStreamMetadata(controller.newClient());
    }

    @Override
    protected void closeMetadata() {
        if (controller != null) {
            controller.close();
        }
    }
}
