package io.lakestream.controller.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.raft.OneVoterController;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Continuations of the client's futures run on its callback threads, not on Ratis' threads,
 * which complete replies under a lock: a continuation taking a lock that a sending thread
 * holds deadlocked the broker's partition manager that way.
 */
class ControllerClientCallbackTest {
    @RegisterExtension
    final OneVoterController controller = new OneVoterController();

    @Test
    void commandAndQueryContinuationsRunOnTheClientsCallbackThreads() throws Exception {
        String caller = Thread.currentThread().getName();
        // Attached before the reply can arrive (a Raft commit is an fsync away), so it runs where it completes.
        String commandThread = controller.client().execute(new ControllerCommand.CreateStream())
            .thenApply(ignored -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
        // A one-node read can be answered before thenApply is attached; CompletableFuture then runs the
        // continuation on the caller. Either way it must not run on a Ratis thread.
        String queryThread = controller.client().query(new ControllerQuery.DescribeBrokers())
            .thenApply(ignored -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);

        assertThat(commandThread).startsWith("controller-client-callback-");
        assertThat(queryThread).satisfiesAnyOf(
            name -> assertThat(name).startsWith("controller-client-callback-"),
            name -> assertThat(name).isEqualTo(caller));
    }
}
