package io.lakestream.broker.handler.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OffsetForLeaderEpoch on a partition led at epoch 3 since offset 0, holding two records: the
 * answers Kafka's leader epoch cache gives for the current, a newer and no epoch (compared with
 * the real Kafka in tests/ DataPathCompatTest), and Lakestream's for an older one, which Kafka
 * cannot be brought to on one node.
 */
class OffsetForLeaderEpochHandlerTest {
    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private OffsetForLeaderEpochHandler handler;

    @BeforeEach
    void leadAtEpochThreeWithTwoRecords() {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a", "b"), AppendOrigin.CLIENT).join();
        // The fixture's partition is led here; every other one is unknown.
        handler = new OffsetForLeaderEpochHandler(PartitionLogFixture.leading(tp -> {
            if (!tp.equals(log.topicPartition())) {
                throw new UnknownTopicOrPartitionException(tp.toString());
            }
            return log;
        }, log));
    }

    @Test
    void theCurrentEpochEndsAtTheLogEnd() {
        assertThat(ask(-1, 3)).isEqualTo(answer(Errors.NONE, 3, 2));
        assertThat(ask(3, 3)).isEqualTo(answer(Errors.NONE, 3, 2));
    }

    @Test
    void noEpochOrANewerOneHasNoEnd() {
        assertThat(ask(-1, -1)).isEqualTo(answer(Errors.NONE, -1, -1));
        assertThat(ask(-1, 4)).isEqualTo(answer(Errors.NONE, -1, -1));
        assertThat(ask(3, 9)).isEqualTo(answer(Errors.NONE, -1, -1));
    }

    @Test
    void anOlderEpochEndsWhereThisLeadershipBegan() {
        assertThat(ask(-1, 2)).isEqualTo(answer(Errors.NONE, 2, 0));
        assertThat(ask(-1, 0)).isEqualTo(answer(Errors.NONE, 0, 0));
    }

    @Test
    void aStaleOrUnknownCurrentEpochIsRefused() {
        assertThat(ask(2, 2)).isEqualTo(answer(Errors.FENCED_LEADER_EPOCH, -1, -1));
        assertThat(ask(4, 3)).isEqualTo(answer(Errors.UNKNOWN_LEADER_EPOCH, -1, -1));
    }

    private EpochEndOffset ask(int currentLeaderEpoch, int leaderEpoch) {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderTopic().setTopic(PartitionLogFixture.TP.topic()).setPartitions(List.of(
            new OffsetForLeaderPartition().setPartition(PartitionLogFixture.TP.partition())
                .setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch))));
        OffsetsForLeaderEpochRequest body = OffsetsForLeaderEpochRequest.Builder.forConsumer(topics).build();
        RequestHeader header = new RequestHeader(ApiKeys.OFFSET_FOR_LEADER_EPOCH, body.version(), "test", 1);
        RequestContext context = new RequestContext(header, "connection", InetAddress.getLoopbackAddress(),
            Optional.empty(), KafkaPrincipal.ANONYMOUS, ListenerName.normalised("PLAINTEXT"), SecurityProtocol.PLAINTEXT,
            ClientInformation.EMPTY, false);
        OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse) handler
            .handle(new KafkaRequest(context, body, 0, System.nanoTime())).join();
        return response.data().topics().iterator().next().partitions().get(0);
    }

    private static EpochEndOffset answer(Errors error, int leaderEpoch, long endOffset) {
        return new EpochEndOffset().setPartition(PartitionLogFixture.TP.partition()).setErrorCode(error.code())
            .setLeaderEpoch(leaderEpoch).setEndOffset(endOffset);
    }
}
