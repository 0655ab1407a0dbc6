package io.lakestream.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
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
        return request(body, correlationId, 0);
    }

    private static KafkaRequest request(AbstractRequest body, int correlationId, int sizeBytes) {
        RequestHeader header = new RequestHeader(body.apiKey(), body.version(), "test", correlationId);
        RequestContext context = new RequestContext(header, "connection", InetAddress.getLoopbackAddress(),
            Optional.empty(), KafkaPrincipal.ANONYMOUS, ListenerName.normalised("PLAINTEXT"), SecurityProtocol.PLAINTEXT,
            ClientInformation.EMPTY, false);
        return new KafkaRequest(context, body, sizeBytes, System.nanoTime());
    }

    private static KafkaRequest withFrame(KafkaRequest request, ByteBuf frame) {
        return new KafkaRequest(request.context(), request.body(), request.sizeBytes(), request.receivedNanos(), frame);
    }

    private static KafkaRequest produce(int correlationId, int sizeBytes) {
        ProduceRequest body = ProduceRequest.builder(new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000))
            .build();
        return request(body, correlationId, sizeBytes);
    }

    private static KafkaRequest fetch(int correlationId, int sizeBytes) {
        FetchRequest body = FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 1, Map.of()).build();
        return request(body, correlationId, sizeBytes);
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
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDispatcher(handler, Runnable::run, 10, 1 << 20, 0));

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

    /**
     * At shutdown the request threads refuse new work. The refused request's connection is
     * closed, as Kafka's shutdown closes connections, rather than left open with requests that
     * are never answered.
     */
    @Test
    void aRequestTheRequestThreadsRefuseClosesItsConnection() {
        List<Integer> handled = new ArrayList<>();
        RequestHandler handler = request -> {
            handled.add(request.context().header.correlationId());
            return CompletableFuture.completedFuture(withLeaderEpoch(-1));
        };
        Executor shutDown = task -> {
            throw new RejectedExecutionException("request threads stopped");
        };

        assertClosedWithoutAnswer(new RequestDispatcher(handler, shutDown, 10, 1 << 20, 0));
        assertThat(handled).isEmpty();
    }

    /** A handler that throws an Error leaves its request unanswered: the connection closes rather than wedges. */
    @Test
    void aHandlerThatThrowsAnErrorClosesItsConnection() {
        RequestHandler handler = request -> {
            throw new AssertionError("handler bug");
        };

        assertClosedWithoutAnswer(new RequestDispatcher(handler, Runnable::run, 10, 1 << 20, 0));
    }

    /** Sends one request with a frame of its own: the connection must close, answer nothing and release the frame. */
    private static void assertClosedWithoutAnswer(RequestDispatcher dispatcher) {
        EmbeddedChannel channel = new EmbeddedChannel(dispatcher);
        ByteBuf frame = Unpooled.buffer(16);

        channel.writeInbound(withFrame(listOffsetsV2(1), frame));
        channel.runPendingTasks();

        assertThat(channel.isActive()).as("connection closed").isFalse();
        assertThat(frame.refCnt()).as("the request's bytes released").isZero();
        assertThat((Object) channel.readOutbound()).as("no response").isNull();
        channel.finishAndReleaseAll();
    }

    /**
     * A small Fetch request is handled on the connection's event loop, without a request
     * thread; a larger fetch and every other API, Produce included, go to the request
     * executor. A small fetch behind a request on the executor still waits for it: a
     * connection's requests are handled in the order they arrived.
     */
    @Test
    void smallFetchRequestsAreHandledOnTheEventLoopInArrivalOrder() {
        List<Integer> handled = new ArrayList<>();
        RequestHandler handler = request -> {
            handled.add(request.context().header.correlationId());
            // No response, as for acks=0: only the order of the calls matters here.
            return CompletableFuture.completedFuture(null);
        };
        Queue<Runnable> requestThreads = new ArrayDeque<>();
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDispatcher(handler, requestThreads::add, 10, 1 << 20,
            4096));

        channel.writeInbound(fetch(1, 4096));
        channel.writeInbound(fetch(2, 100));
        assertThat(handled).as("handled on the event loop").containsExactly(1, 2);
        assertThat(requestThreads).as("tasks for the request threads").isEmpty();

        channel.writeInbound(fetch(3, 4097));
        channel.writeInbound(fetch(4, 100));
        channel.runPendingTasks();
        assertThat(handled).as("a small fetch waits for the large one before it").containsExactly(1, 2);
        assertThat(requestThreads).hasSize(1);
        requestThreads.poll().run();
        channel.runPendingTasks();
        assertThat(handled).as("after the large fetch").containsExactly(1, 2, 3, 4);

        channel.writeInbound(produce(5, 100));
        channel.writeInbound(listOffsetsV2(6));
        assertThat(handled).as("a small produce and a ListOffsets request").containsExactly(1, 2, 3, 4);
        requestThreads.poll().run();
        requestThreads.poll().run();
        assertThat(handled).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(requestThreads).isEmpty();
        channel.finishAndReleaseAll();
    }
}
