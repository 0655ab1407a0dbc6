package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.codec.ClusterCodecs;
import io.lakestream.controller.command.ControllerQuery.GetClusterDeltas;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.controller.state.CommandResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterDeltaWaitsTest {
    /** What the state would answer: the deltas after offset 10, whatever the query asks. */
    private final AtomicReference<List<ClusterDelta>> after10 = new AtomicReference<>(List.of());
    private final ClusterDeltaWaits waits =
        new ClusterDeltaWaits(query -> CommandResult.success(new ClusterDeltas(null, after10.get())));

    @AfterEach
    void close() {
        waits.close();
    }

    private static ClusterDeltas decode(CompletableFuture<Message> reply) throws Exception {
        return ReplyCodec.decode(reply.get(30, TimeUnit.SECONDS).getContent().toByteArray(),
            ClusterCodecs.CLUSTER_DELTAS);
    }

    @Test
    void aPollWithNewsOrWithoutAWaitIsAnsweredAtOnce() throws Exception {
        CompletableFuture<Message> noWait = waits.poll(new GetClusterDeltas(10, 100));
        after10.set(List.of(new ClusterDelta(11, List.of())));
        CompletableFuture<Message> news = waits.poll(new GetClusterDeltas(10, 100, 3_600_000));

        assertThat(noWait).isDone();
        assertThat(decode(noWait).deltas()).isEmpty();
        assertThat(news).isDone();
        assertThat(decode(news).deltas()).extracting(ClusterDelta::offset).containsExactly(11L);
    }

    @Test
    void aWaitingPollIsAnsweredOnlyOnceAnAppliedEntryHasNewsForIt() throws Exception {
        CompletableFuture<Message> poll = waits.poll(new GetClusterDeltas(10, 100, 3_600_000));
        waits.onApplied(); // an entry that changed no cluster metadata

        assertThat(poll).isNotDone();
        after10.set(List.of(new ClusterDelta(12, List.of())));
        waits.onApplied();

        assertThat(decode(poll).deltas()).extracting(ClusterDelta::offset).containsExactly(12L);
    }

    @Test
    void closingAnswersTheWaitingPollsWithNothingNew() throws Exception {
        CompletableFuture<Message> poll = waits.poll(new GetClusterDeltas(10, 100, 3_600_000));

        waits.close();

        ClusterDeltas answer = decode(poll);
        assertThat(answer.snapshot()).isNull();
        assertThat(answer.deltas()).isEmpty();
    }
}
