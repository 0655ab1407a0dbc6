package io.lakestream.controller.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.client.ControllerClient;
import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.controller.command.ClusterDescription;
import io.lakestream.controller.command.CommandCodec;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.file.Path;
import java.util.List;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: one voter, restarted on its own storage. */
class SingleVoterControllerTest {
    @TempDir
    Path dir;
    private ControllerCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void retriedCommandWithTheSameClientAndCallIdIsAppliedOnce() throws Exception {
        cluster = ControllerCluster.start(dir, 1, c -> c);
        ControllerServer server = cluster.awaitLeader();
        RaftClientRequest request = RaftClientRequest.newBuilder()
            .setClientId(ClientId.randomId())
            .setServerId(RaftPeerId.valueOf(server.voterId()))
            .setGroupId(cluster.quorum().raftGroup().getGroupId())
            .setCallId(42)
            .setMessage(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(new ControllerCommand.CreateStream()))))
            .setType(RaftClientRequest.writeRequestType())
            .build();

        long first = streamIdOf(server.raftServer().submitClientRequestAsync(request).get());
        long retried = streamIdOf(server.raftServer().submitClientRequestAsync(request).get());

        assertThat(retried).as("the retry cache answers with the first result").isEqualTo(first);
        ControllerClient client = cluster.newClient();
        assertThat(client.execute(new ControllerCommand.CreateStream()).get())
            .as("the retried command created no stream").isEqualTo(first + 1);
    }

    @Test
    void readSentBeforeTheFirstElectionWaitsForTheLeader() throws Exception {
        cluster = ControllerCluster.start(dir, 1, c -> c);
        ControllerServer voter = cluster.voter("c0");
        assertThat(voter.raftServer().getDivision(cluster.quorum().raftGroup().getGroupId()).getInfo().isLeader())
            .as("the read must go out while the voter is still electing itself (timeouts of 1-2 s)").isFalse();

        ClusterDescription description = cluster.newClient().query(new ControllerQuery.DescribeCluster()).get();

        assertThat(description.clusterId()).isNotBlank();
    }

    @Test
    void stateSurvivesRestartFromSnapshotPlusLog() throws Exception {
        cluster = ControllerCluster.start(dir, 1, c -> c.withSnapshots(5, 1 << 20));
        cluster.awaitLeader();
        ControllerStreamMetadata metadata = new ControllerStreamMetadata(cluster.newClient());
        long stream = metadata.createStream().get();
        long epoch = metadata.openStream(stream, 1).get().epoch();
        for (int i = 0; i < 7; i++) {
            long id = metadata.prepareObjects(1, 60_000).get();
            metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, 1, 10,
                List.of(new StreamOffsetRange(stream, epoch, i * 10, i * 10 + 10)), List.of(), List.of())).get();
        }
        ClusterDescription before = cluster.newClient().query(new ControllerQuery.DescribeCluster()).get();

        cluster.stopVoter("c0");
        cluster.startVoter("c0");
        cluster.awaitLeader();

        ControllerStreamMetadata restarted = new ControllerStreamMetadata(cluster.newClient());
        assertThat(restarted.getObjects(stream, 0, -1, 100).get()).extracting(ObjectRange::endOffset)
            .containsExactly(10L, 20L, 30L, 40L, 50L, 60L, 70L);
        ClusterDescription after = cluster.newClient().query(new ControllerQuery.DescribeCluster()).get();
        assertThat(after.clusterId()).isEqualTo(before.clusterId()).isEqualTo(cluster.quorum().clusterId().toString());
        assertThat(after.metadataOffset()).isGreaterThanOrEqualTo(before.metadataOffset());
        assertThat(restarted.createStream().get()).isEqualTo(stream + 1);
    }

    private static long streamIdOf(RaftClientReply reply) {
        assertThat(reply.isSuccess()).as("%s", reply).isTrue();
        return ReplyCodec.decode(reply.getMessage().getContent().toByteArray(), ValueCodecs.LONG);
    }
}
