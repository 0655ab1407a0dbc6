package io.lakestream.benchmarks;

import io.lakestream.broker.network.ByteBufChannel;
import io.lakestream.broker.partition.ReadResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The broker's hot path for a consumer reading from the log cache: a Fetch response of
 * {@code partitions} partitions, 1 MiB of cached 16 KiB record batches each (what a Java
 * consumer asks for by default), built from the partitions' read results and serialized into
 * Netty buffers from the allocator the broker's channels use, as the network layer writes it.
 *
 * <p>{@code records=copy} is the read path before issue 5's change: each partition's batches
 * joined into one heap buffer ({@link ReadResult#records()}), then serialized.
 * {@code records=views} is the path now: the cached buffers go into the response as they are
 * ({@link ReadResult#fetchRecords()}) and are copied once, into the network buffer. Multiply
 * ops/s by {@code partitions} MiB for MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "-XX:+UseG1GC"})
@Threads(1)
public class FetchResponseBenchmark {
    private static final int BATCH_BYTES = 16 << 10;
    private static final int PARTITION_BYTES = 1 << 20;
    private static final int RECORD_BYTES = 1024;
    private static final short FETCH_VERSION = ApiKeys.FETCH.latestVersion();

    @Param({"1", "16"})
    public int partitions;

    @Param({"copy", "views"})
    public String records;

    private final ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
    private final Uuid topicId = Uuid.randomUuid();
    private List<ReadResult> reads;

    @Setup
    public void setUp() {
        reads = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<ByteBuffer> batches = new ArrayList<>();
            long offset = 0;
            for (int bytes = 0; bytes + BATCH_BYTES <= PARTITION_BYTES; bytes += BATCH_BYTES) {
                ByteBuffer batch = cachedBatch(offset);
                offset += BATCH_BYTES / RECORD_BYTES - 1;
                batches.add(batch);
            }
            reads.add(new ReadResult(batches, offset, offset, 0, null));
        }
    }

    /** A record batch as the log cache holds it: a read-only view of its own buffer. */
    private static ByteBuffer cachedBatch(long baseOffset) {
        SimpleRecord[] batchRecords = new SimpleRecord[BATCH_BYTES / RECORD_BYTES - 1];
        for (int i = 0; i < batchRecords.length; i++) {
            batchRecords[i] = new SimpleRecord(new byte[RECORD_BYTES]);
        }
        MemoryRecords built = MemoryRecords.withRecords(baseOffset, Compression.NONE, batchRecords);
        return built.buffer().asReadOnlyBuffer();
    }

    @Benchmark
    public int buildAndSerialize() throws IOException {
        FetchResponseData data = new FetchResponseData()
            .setErrorCode(Errors.NONE.code())
            .setSessionId(FetchMetadata.INVALID_SESSION_ID);
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse()
            .setTopic("perf-" + partitions)
            .setTopicId(topicId);
        data.responses().add(topic);
        boolean copy = records.equals("copy");
        for (int p = 0; p < reads.size(); p++) {
            ReadResult read = reads.get(p);
            BaseRecords sent = copy ? read.records() : read.fetchRecords();
            topic.partitions().add(new FetchResponseData.PartitionData()
                .setPartitionIndex(p)
                .setHighWatermark(read.highWatermark())
                .setLastStableOffset(read.lastStableOffset())
                .setLogStartOffset(read.logStartOffset())
                .setRecords(sent));
        }
        FetchResponse response = FetchResponse.of(data);
        ByteBuf serialized = ByteBufChannel.serialize(allocator,
            response.toSend(new ResponseHeader(1, ApiKeys.FETCH.responseHeaderVersion(FETCH_VERSION)), FETCH_VERSION));
        int size = serialized.readableBytes();
        serialized.release();
        return size;
    }
}
