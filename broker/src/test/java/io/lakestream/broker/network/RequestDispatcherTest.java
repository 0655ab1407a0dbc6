package io.lakestream.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

/** {@link RequestDispatcher} on an embedded channel, with handlers that answer at once. */
class RequestDispatcherTest {
    private static final short V2 = 2;

    private static KafkaRequest listOffsetsV2(int correlationId) {
        ListOffsetsRequest body = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
            .setTargetTimes(List.of(new ListOffsetsTopic().setName("t").setPartitions(List.of(
                new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
            .build(V2);
        RequestHeader header = new RequestHeader(ApiKeys.LIST_OFFSETS, V2, "test", correlationId);
        RequestContext context = new RequestContext(header, "connection", InetAddress.getLoopbackAddress(),
            Optional.empty(), KafkaPrincipal.ANONYMOUS, ListenerName.normalised("PLAINTEXT"), SecurityProtocol.PLAINTEXT,
            ClientInformation.EMPTY, false);
        return new KafkaRequest(context, body, 0, System.nanoTime());
    }

    private static ListOffsetsResponse withLeaderEpoch(int leaderEpoch) {
        return new ListOffsetsResponse(new ListOffsetsResponseData().setTopics(List.of(new ListOffsetsTopicResponse()
            .setName("t").setPartitions(List.of(new ListOffsetsPartitionResponse()
                .setPartitionIndex(0).setOffset(7).setTimestamp(-1).setLeaderEpoch(leaderEpoch))))));
    }

    /** The size-prefixed response frames the dispatcher wrote, parsed at the request's version. */
    private static ListOffsetsResponse readResponse(EmbeddedChannel channel, int correlationId) {
        ByteBuf frame = channel.readOutbound();
        assertThat(frame).as("response to request %d", correlationId).isNotNull();
        try {
            ByteBuffer buffer = ByteBuffer.allocate(frame.readableBytes());
            frame.readBytes(buffer);
            buffer.flip();
            assertThat(buffer.getInt()).as("size prefix").isEqualTo(buffer.remaining());
            return (ListOffsetsResponse) AbstractResponse.parseResponse(buffer,
                new RequestHeader(ApiKeys.LIST_OFFSETS, V2, "test", correlationId));
        } finally {
            frame.release();
        }
    }

    /**
     * A leader epoch cannot be written at v2. The client used to get no response at all and
     * wait for it until its request timeout; it now gets an error, and the next response on the
     * same connection still arrives.
     */
    @Test
    void aResponseThatCannotBeSerializedAtTheRequestVersionIsAnsweredWithAnError() {
        RequestHandler handler = request -> CompletableFuture.completedFuture(
            request.context().header.correlationId() == 1 ? withLeaderEpoch(5) : withLeaderEpoch(-1));
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDispatcher(handler, Runnable::run, 10, 1 << 20));

        channel.writeInbound(listOffsetsV2(1));
        channel.writeInbound(listOffsetsV2(2));
        channel.runPendingTasks();

        ListOffsetsPartitionResponse failed = readResponse(channel, 1).data().topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(failed.errorCode())).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        ListOffsetsPartitionResponse answered = readResponse(channel, 2).data().topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(answered.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answered.offset()).isEqualTo(7);
        assertThat(channel.isActive()).as("connection open").isTrue();
        channel.finishAndReleaseAll();
    }
}
