package io.lakestream.broker.partition;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.LogValidator;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real stream store for each test ({@code @RegisterExtension}): a block WAL and a local object
 * store in a temporary directory, with one stream that {@link #load} opens as a
 * {@link PartitionLog}. {@link #restart} closes the store and opens a new one on the same files,
 * as a broker restart does. Public for the request handlers' tests.
 */
public final class PartitionLogFixture implements BeforeEachCallback, AfterEachCallback {
    public static final TopicPartition TP = new TopicPartition("events", 0);
    static final LogValidator.MetricsRecorder NO_METRICS = new LogValidator.MetricsRecorder() {
        @Override public void recordInvalidMagic() {}
        @Override public void recordInvalidOffset() {}
        @Override public void recordInvalidSequence() {}
        @Override public void recordInvalidChecksums() {}
        @Override public void recordNoKeyCompactedTopic() {}
    };

    private Path dir;
    private InMemoryStreamMetadata metadata;
    private LocalDirectoryObjectStorage storage;
    private long streamId;
    private StreamStore store;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("partition-log-test");
        metadata = new InMemoryStreamMetadata();
        storage = new LocalDirectoryObjectStorage(dir.resolve("objects"));
        store = newStore();
        streamId = store.createStream().join();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (store != null) {
                store.close();
            }
            if (storage != null) {
                storage.close();
            }
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    private StreamStore newStore() throws Exception {
        StreamStore newStore = new StreamStore(StreamStoreConfig.defaults(1),
            BlockWal.open(BlockWalConfig.builder(dir.resolve("wal"), 64 << 20).build()), storage, metadata,
            new SimpleMeterRegistry());
        newStore.start().join();
        return newStore;
    }

    /** Opens the stream and loads it as leader epoch 3. */
    public PartitionLog load(LogConfig config) {
        return load(config, Time.SYSTEM);
    }

    /** Opens the stream and loads it as leader epoch 3, with {@code time} as the broker's clock. */
    public PartitionLog load(LogConfig config, Time time) {
        return load(config, time, UnaryOperator.identity());
    }

    /** Opens the stream and loads it as leader epoch 3 over {@code wrap} of it: a test's hook into the stream. */
    public PartitionLog load(LogConfig config, UnaryOperator<Stream> wrap) {
        return load(config, Time.SYSTEM, wrap);
    }

    private PartitionLog load(LogConfig config, Time time, UnaryOperator<Stream> wrap) {
        Stream stream = wrap.apply(store.openStream(streamId).join());
        return loader("producer-state", time).load(TP, stream, 3, config).join();
    }

    /** Another partition, {@code tp}, on a stream of its own, loaded as leader epoch 3. */
    public PartitionLog loadOther(TopicPartition tp, LogConfig config) {
        Stream stream = store.openStream(store.createStream().join()).join();
        return loader("producer-state-" + tp, Time.SYSTEM).load(tp, stream, 3, config).join();
    }

    private PartitionLoader loader(String producerStateDir, Time time) {
        return new PartitionLoader(dir.resolve(producerStateDir), new ProducerStateManagerConfig(86_400_000, false),
            60_000, new IndexSegmentStore(storage), time, NO_METRICS);
    }

    /**
     * The partitions a request handler under test sees: {@code leaderLog} answers for each
     * partition (or throws as {@link LeaderPartitions#leaderLog} does), {@code open} are the
     * open logs, and no topic has an id.
     */
    public static LeaderPartitions leading(Function<TopicPartition, PartitionLog> leaderLog, PartitionLog... open) {
        return new LeaderPartitions() {
            @Override
            public PartitionLog leaderLog(TopicPartition topicPartition) {
                return leaderLog.apply(topicPartition);
            }

            @Override
            public Collection<PartitionLog> openLogs() {
                return List.of(open);
            }

            @Override
            public Map<Uuid, String> topicNames() {
                return TopicDirectory.EMPTY.topicNames();
            }

            @Override
            public Uuid topicId(String topicName) {
                return TopicDirectory.EMPTY.topicId(topicName);
            }
        };
    }

    /** The stream store of the current run (a restart replaces it). */
    public StreamStore store() {
        return store;
    }

    /** The object store under the stream store, shared by every restart. */
    LocalDirectoryObjectStorage storage() {
        return storage;
    }

    /** Closes the store, uploading what it holds, and opens a new one on the same WAL and objects. */
    void restart() throws Exception {
        store.close();
        store = newStore();
    }

    /** One batch of keyed records with timestamps {@code timestamp}, {@code timestamp + 1}, ... */
    public static MemoryRecords records(long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    static List<String> values(MemoryRecords records, long fromOffset) {
        List<String> values = new ArrayList<>();
        for (MutableRecordBatch batch : records.batches()) {
            for (Record record : batch) {
                if (record.offset() >= fromOffset) {
                    values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                }
            }
        }
        return values;
    }

    /** Every value from the log start to the high watermark; one read may stop at an object's end. */
    public static List<String> readAll(PartitionLog log) {
        List<String> values = new ArrayList<>();
        for (MutableRecordBatch batch : readBatches(log)) {
            for (Record record : batch) {
                if (record.offset() >= log.logStartOffset()) {
                    values.add(StandardCharsets.UTF_8.decode(record.value()).toString());
                }
            }
        }
        return values;
    }

    /** Every batch from the one holding the log start to the high watermark. */
    public static List<MutableRecordBatch> readBatches(PartitionLog log) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark()) {
            MemoryRecords records = log.read(offset, 1 << 20, true).join().records();
            for (MutableRecordBatch batch : records.batches()) {
                batches.add(batch);
                offset = batch.nextOffset();
            }
        }
        return batches;
    }
}
