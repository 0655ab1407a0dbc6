package io.lakestream.controller.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.raft.ControllerCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuations of the client's futures run on its callback threads, not on Ratis' threads,
 * which complete replies under a lock: a continuation taking a lock that a sending thread
 * holds deadlocked the broker's partition manager that way.
 */
class ControllerClientCallbackTest {
    @TempDir
    Path dir;
    private ControllerCluster cluster;
    private ControllerClient client;

    @BeforeEach
    void start() {
        cluster = ControllerCluster.start(dir, 1, config -> config);
        cluster.awaitLeader();
        client = cluster.newClient();
    }

    @AfterEach
    void stop() {
        client.close();
        cluster.close();
    }

    @Test
    void commandAndQueryContinuationsRunOnTheClientsCallbackThreads() throws Exception {
        // Attached before the reply can arrive (a Raft commit is an fsync away), so they run where it completes.
        String commandThread = client.execute(new ControllerCommand.CreateStream())
            .thenApply(ignored -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
        String queryThread = client.query(new ControllerQuery.DescribeBrokers())
            .thenApply(ignored -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);

        assertThat(List.of(commandThread, queryThread)).allSatisfy(name ->
            assertThat(name).startsWith("controller-client-callback-"));
    }
}
