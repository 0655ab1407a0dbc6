package io.lakestream.broker.partition;

import io.lakestream.stream.Stream;
import io.lakestream.stream.StreamRecordBatch;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.apache.kafka.storage.internals.log.LogValidator;
import org.apache.kafka.storage.internals.log.ProducerAppendInfo;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.apache.kafka.storage.internals.log.ProducerStateManagerConfig;
import org.apache.kafka.storage.internals.log.UnifiedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an opened stream into a {@link PartitionLog}: replays the stream's batches to rebuild
 * the idempotent producers' state and the time index, so that a retry sent to this broker
 * after a restart or a partition move is still recognised as a duplicate.
 *
 * <p>Thread-safe; the replay of one partition runs on the stream's completion threads.
 */
public final class PartitionLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLoader.class);
    private static final int REPLAY_READ_BYTES = 4 << 20;

    private final Path producerStateRoot;
    private final ProducerStateManagerConfig producerStateConfig;
    private final int maxTransactionTimeoutMs;
    private final Time time;
    private final LogValidator.MetricsRecorder validationMetrics;

    public PartitionLoader(Path producerStateRoot, ProducerStateManagerConfig producerStateConfig,
                           int maxTransactionTimeoutMs, Time time, LogValidator.MetricsRecorder validationMetrics) {
        this.producerStateRoot = producerStateRoot;
        this.producerStateConfig = producerStateConfig;
        this.maxTransactionTimeoutMs = maxTransactionTimeoutMs;
        this.time = time;
        this.validationMetrics = validationMetrics;
    }

    public CompletableFuture<PartitionLog> load(TopicPartition topicPartition, Stream stream, int leaderEpoch,
                                               LogConfig config) {
        ProducerStateManager producers = newProducerState(topicPartition, stream.streamId());
        TimeIndex timeIndex = new TimeIndex(config.indexInterval);
        long startNanos = System.nanoTime();
        long from = stream.startOffset();
        long to = stream.confirmOffset();
        return replay(stream, from, to, producers, timeIndex).thenApply(ignored -> {
            producers.updateMapEndOffset(to);
            if (to > from) {
                LOG.info("Loaded {} (stream {}, epoch {}): replayed offsets {} to {} in {} ms", topicPartition,
                    stream.streamId(), stream.epoch(), from, to, (System.nanoTime() - startNanos) / 1_000_000);
            }
            return new PartitionLog(topicPartition, stream, leaderEpoch, config, producers, timeIndex, time,
                validationMetrics);
        });
    }

    private ProducerStateManager newProducerState(TopicPartition topicPartition, long streamId) {
        // Kafka's manager keeps snapshots in a directory; ours is rebuilt from the stream on
        // every load, so a fresh directory per load is all it needs.
        File dir = producerStateRoot.resolve(topicPartition + "-" + streamId).toFile();
        try {
            if (dir.exists()) {
                Utils.delete(dir);
            }
            Files.createDirectories(dir.toPath());
            return new ProducerStateManager(topicPartition, dir, maxTransactionTimeoutMs, producerStateConfig, time);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the producer state directory " + dir, e);
        }
    }

    private CompletableFuture<Void> replay(Stream stream, long offset, long end, ProducerStateManager producers,
                                           TimeIndex timeIndex) {
        if (offset >= end) {
            return CompletableFuture.completedFuture(null);
        }
        return stream.fetch(offset, end, REPLAY_READ_BYTES).thenCompose(batches -> {
            long next = offset;
            Map<Long, ProducerAppendInfo> loaded = new HashMap<>();
            for (StreamRecordBatch element : batches) {
                for (MutableRecordBatch batch : MemoryRecords.readableRecords(element.payload().duplicate()).batches()) {
                    if (batch.hasProducerId()) {
                        UnifiedLog.updateProducers(producers, batch, loaded, Optional.empty(),
                            AppendOrigin.REPLICATION, (short) 0);
                    }
                    timeIndex.onAppend(batch.baseOffset(), batch.maxTimestamp(), batch.sizeInBytes(),
                        batch.partitionLeaderEpoch());
                }
                next = element.endOffset();
            }
            loaded.values().forEach(producers::update);
            if (next <= offset) {
                return CompletableFuture.completedFuture(null);
            }
            return replay(stream, next, end, producers, timeIndex);
        });
    }
}
