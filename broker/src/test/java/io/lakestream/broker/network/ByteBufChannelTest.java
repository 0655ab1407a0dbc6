package io.lakestream.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ByteBufChannel} serializing Fetch responses whose records lie in heap and off-heap buffers. */
class ByteBufChannelTest {
    private static final short VERSION = ApiKeys.FETCH.latestVersion();
    private static final short HEADER_VERSION = ApiKeys.FETCH.responseHeaderVersion(VERSION);

    /** Unpooled, so its metric counts the direct bytes that are still held. */
    private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    private final List<ByteBuf> serialized = new ArrayList<>();

    @AfterEach
    void releaseAndCheckNothingLeaks() {
        for (ByteBuf buf : serialized) {
            assertThat(buf.release()).isTrue();
        }
        assertThat(allocator.metric().usedDirectMemory()).isZero();
    }

    @Test
    void offHeapRecordsAreReferredToAndHeapRecordsCopied() throws IOException {
        ByteBuffer offHeap = offHeap(records(0, 40, 1024));
        ByteBuffer onHeap = records(100, 40, 1024);
        ByteBuf response = serialize(offHeap.duplicate(), onHeap.duplicate());

        assertThat(response).isInstanceOf(CompositeByteBuf.class);
        assertThat(response.isDirect()).isTrue();
        assertThat(values(parse(response).get(0))).isEqualTo(values(offHeap));
        assertThat(values(parse(response).get(1))).isEqualTo(values(onHeap));

        // A change to the off-heap source shows in the response; one to the heap source does not.
        offHeap.put(offHeap.limit() - 1, (byte) 7);
        onHeap.put(onHeap.limit() - 1, (byte) 7);
        assertThat(lastByte(parse(response).get(0))).isEqualTo((byte) 7);
        assertThat(lastByte(parse(response).get(1))).isEqualTo((byte) 0);
    }

    @Test
    void smallOffHeapRecordsAreCopied() throws IOException {
        ByteBuffer offHeap = offHeap(records(0, 2, 100));
        assertThat(offHeap.remaining()).isLessThan(ByteBufChannel.MIN_REFERENCED_BYTES);
        ByteBuf response = serialize(offHeap.duplicate());

        offHeap.put(offHeap.limit() - 1, (byte) 7);
        assertThat(lastByte(parse(response).get(0))).isEqualTo((byte) 0);
        assertThat(response).isNotInstanceOf(CompositeByteBuf.class);
    }

    @Test
    void heapRecordsAreCopiedIntoOneBufferAfterTheFirstFields() throws IOException {
        ByteBuffer first = records(0, 700, 1024);
        ByteBuffer second = records(0, 700, 1024);
        ByteBuf response = serialize(first.duplicate(), second.duplicate());

        assertThat(((CompositeByteBuf) response).numComponents()).isEqualTo(2);
        assertThat(((CompositeByteBuf) response).internalComponent(0).capacity())
            .isEqualTo(ByteBufChannel.FIELDS_PIECE_BYTES);
        assertThat(values(parse(response).get(0))).isEqualTo(values(first));
        assertThat(values(parse(response).get(1))).isEqualTo(values(second));
    }

    private ByteBuf serialize(ByteBuffer... partitionRecords) throws IOException {
        FetchResponseData.FetchableTopicResponse topic =
            new FetchResponseData.FetchableTopicResponse().setTopic("t").setTopicId(Uuid.randomUuid());
        for (int p = 0; p < partitionRecords.length; p++) {
            topic.partitions().add(new FetchResponseData.PartitionData()
                .setPartitionIndex(p)
                .setRecords(MemoryRecords.readableRecords(partitionRecords[p])));
        }
        FetchResponse response = FetchResponse.of(new FetchResponseData().setResponses(List.of(topic)));
        ByteBuf buf = ByteBufChannel.serialize(allocator, response.toSend(new ResponseHeader(1, HEADER_VERSION), VERSION));
        serialized.add(buf);
        return buf;
    }

    /** The records of each partition of a serialized response, as a client reads them. */
    private static List<ByteBuffer> parse(ByteBuf serialized) {
        ByteBuffer bytes = ByteBuffer.allocate(serialized.readableBytes());
        serialized.getBytes(serialized.readerIndex(), bytes);
        bytes.flip();
        assertThat(bytes.getInt()).isEqualTo(serialized.readableBytes() - 4);
        ResponseHeader.parse(bytes, HEADER_VERSION);
        FetchResponseData data = FetchResponse.parse(new ByteBufferAccessor(bytes), VERSION).data();
        return data.responses().get(0).partitions().stream()
            .map(partition -> ((MemoryRecords) partition.records()).buffer())
            .toList();
    }

    private static List<ByteBuffer> values(ByteBuffer records) {
        List<ByteBuffer> values = new ArrayList<>();
        for (Record record : MemoryRecords.readableRecords(records.duplicate()).records()) {
            values.add(record.value());
        }
        return values;
    }

    /** The last byte of a record set: its last record's header count, zero as written here. */
    private static byte lastByte(ByteBuffer records) {
        return records.get(records.limit() - 1);
    }

    private static ByteBuffer records(long baseOffset, int count, int valueBytes) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueBytes];
            value[0] = (byte) i;
            records[i] = new SimpleRecord(value);
        }
        return MemoryRecords.withRecords(baseOffset, Compression.NONE, records).buffer();
    }

    private static ByteBuffer offHeap(ByteBuffer heap) {
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining());
        direct.put(heap.duplicate()).flip();
        return direct;
    }
}
