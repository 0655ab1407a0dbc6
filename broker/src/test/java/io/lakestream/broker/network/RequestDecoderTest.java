package io.lakestream.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/** {@link RequestDecoder} and {@link RequestDispatcher} on an embedded channel. */
class RequestDecoderTest {

    private static ByteBuf produceFrame(byte[] value) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value));
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName("t").setPartitionData(List.of(
            new PartitionProduceData().setIndex(0).setRecords(records))));
        short version = ApiKeys.PRODUCE.latestVersion();
        ProduceRequest request = new ProduceRequest.Builder(version, version,
            new ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000).setTopicData(topics)).build(version);
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, version, "test", 1);
        return Unpooled.directBuffer().writeBytes(request.serializeWithHeader(header));
    }

    /**
     * The request is parsed in its frame, not in a copy: the records a produce handler reads
     * are the frame's bytes, and the frame stays allocated until the response completes.
     */
    @Test
    void aRequestsFrameHoldsItsRecordsUntilItsResponseCompletes() {
        AtomicReference<KafkaRequest> handled = new AtomicReference<>();
        CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
        EmbeddedChannel channel = new EmbeddedChannel(new RequestDecoder(ListenerName.normalised("PLAINTEXT")),
            new RequestDispatcher(request -> {
                handled.set(request);
                return response;
            }, Runnable::run, 10, 1 << 20, 0)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
            }
        };
        ByteBuf frame = produceFrame("value".getBytes());

        channel.writeInbound(frame);

        assertThat(handled.get()).as("handled request").isNotNull();
        assertThat(frame.refCnt()).as("frame references while the request is handled").isEqualTo(1);
        MemoryRecords records = (MemoryRecords) handled.get().body(ProduceRequest.class).data().topicData()
            .iterator().next().partitionData().get(0).records();
        assertThat(records.buffer().isDirect()).as("records read in the direct frame").isTrue();
        assertThat(records.records().iterator().next().value()).isEqualTo(java.nio.ByteBuffer.wrap("value".getBytes()));

        response.complete(new ProduceResponse(new ProduceResponseData()));
        channel.runPendingTasks();

        assertThat(frame.refCnt()).as("frame references once answered").isZero();
        ByteBuf answer = channel.readOutbound();
        assertThat(answer).isNotNull();
        answer.release();
        channel.finishAndReleaseAll();
    }
}
