package io.lakestream.controller.raft;

import io.lakestream.controller.client.ControllerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A one-voter Raft controller in a temporary directory, with a client of it, for each test:
 * {@code @RegisterExtension final OneVoterController controller = new OneVoterController();}.
 */
public final class OneVoterController implements BeforeEachCallback, AfterEachCallback {
    private Path dir;
    private ControllerCluster cluster;
    private ControllerClient client;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("one-voter-controller");
        cluster = ControllerCluster.start(dir, 1, config -> config);
        cluster.awaitLeader();
        client = cluster.newClient();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            client.close();
            cluster.close();
        } finally {
            try {
                CheckpointSnapshotStorage.deleteRecursively(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public ControllerClient client() {
        return client;
    }
}
