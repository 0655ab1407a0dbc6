package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cluster-delta query with a wait, through a real one-voter Raft group. */
class ClusterDeltaLongPollTest {
    @RegisterExtension
    final OneVoterController controller = new OneVoterController();

    private ControllerClient client() {
        return controller.client();
    }

    private long currentOffset() throws Exception {
        return client().query(new ControllerQuery.GetClusterDeltas(-1, 1)).get(30, TimeUnit.SECONDS)
            .snapshot().offset();
    }

    private static ControllerCommand.RegisterBroker registerBroker(int id) {
        return new ControllerCommand.RegisterBroker(id, Uuid.randomUuid(),
            List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9092)), null);
    }

    @Test
    void aWaitingPollIsAnsweredByTheNextDeltaAndHoldsUpNoOtherRequestOfItsClient() throws Exception {
        long offset = currentOffset();
        CompletableFuture<ClusterDeltas> poll =
            client().query(new ControllerQuery.GetClusterDeltas(offset, 100, 2_500));

        client().query(new ControllerQuery.DescribeBrokers()).get(30, TimeUnit.SECONDS);
        assertThat(poll).as("a query sent after the poll was answered before it").isNotDone();
        client().execute(registerBroker(1)).get(30, TimeUnit.SECONDS);

        ClusterDeltas answer = poll.get(30, TimeUnit.SECONDS);
        assertThat(answer.snapshot()).isNull();
        assertThat(answer.deltas()).isNotEmpty()
            .allSatisfy(delta -> assertThat(delta.offset()).isGreaterThan(offset));
    }

    @Test
    void aPollWithNothingNewIsAnsweredEmptyWhenItsWaitEnds() throws Exception {
        long offset = currentOffset();

        ClusterDeltas answer =
            client().query(new ControllerQuery.GetClusterDeltas(offset, 100, 200)).get(30, TimeUnit.SECONDS);

        assertThat(answer.snapshot()).isNull();
        assertThat(answer.deltas()).isEmpty();
    }
}
