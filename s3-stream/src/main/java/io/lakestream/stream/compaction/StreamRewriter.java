package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.storage.ObjectStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites the payloads of a stream's oldest data batch by batch, keeping every batch's
 * offsets: the storage half of Kafka log compaction. Only stream objects are rewritten, so
 * the streams of compacted topics keep their data in stream objects (see
 * {@code StreamStore.keepInStreamObjects}); the rewrite stops at the first offset that is not
 * in one. Consecutive small stream objects are merged on the way, up to
 * {@link StreamStoreConfig#streamObjectTargetBytes()}.
 *
 * <p>Each group of source objects is replaced atomically at the metadata, which checks that
 * the new object holds exactly their offsets; the sources are deleted by the
 * {@link ObjectCleaner} after their grace period, so a reader that located them before keeps
 * working. A run that loses a race with {@link StreamObjectCompactor} over the same objects is
 * refused by the metadata and changes nothing; the next run retries. Runs for one stream are
 * not meant to overlap.
 */
public final class StreamRewriter {
    private static final Logger LOG = LoggerFactory.getLogger(StreamRewriter.class);

    private final StreamStoreConfig config;
    private final StreamMetadata metadata;
    private final StreamObjectReplacer replacer;
    private final Counter rewritten;

    public StreamRewriter(StreamStoreConfig config, StreamMetadata metadata, ObjectStorage storage,
                          MeterRegistry registry) {
        this.config = config;
        this.metadata = metadata;
        this.replacer = new StreamObjectReplacer(config, metadata, storage);
        this.rewritten = Counter.builder("lakestream.stream.rewrite.objects")
            .description("Stream objects replaced by a rewrite of their batches (log compaction)")
            .register(registry);
    }

    /** What a run did: data up to {@code endOffset} was rewritten, from this many bytes to that many. */
    public record Result(long endOffset, int sourceObjects, long bytesBefore, long bytesAfter) {}

    /**
     * The end of the stream's data that a rewrite can reach now: the end of the run of
     * contiguous stream objects that starts at or below the stream's start offset, or the
     * start offset itself when its data is elsewhere (a stream-set object, the log cache).
     */
    public CompletableFuture<Long> rewritableEnd(long streamId) {
        return metadata.describeStream(streamId).thenCompose(state -> metadata.getStreamObjects(streamId)
            .thenApply(objects -> {
                long end = state.startOffset();
                for (ObjectMetadata object : objects) {
                    StreamOffsetRange range = object.ranges().get(0);
                    if (range.endOffset() <= end) {
                        continue;
                    }
                    if (range.startOffset() > end) {
                        break;
                    }
                    end = range.endOffset();
                }
                return end;
            }));
    }

    /**
     * Rewrites the stream objects that hold offsets below {@code endOffset}, starting with the
     * one that holds the start offset, and stops before the first object that ends after
     * {@code endOffset} or does not follow on. Completes with the end actually reached.
     * {@code rewrite} is called on {@code executor}, one batch at a time.
     */
    public CompletableFuture<Result> rewrite(long streamId, long endOffset, BatchRewrite rewrite, Executor executor) {
        return metadata.describeStream(streamId).thenCompose(state -> metadata.getStreamObjects(streamId)
            .thenCompose(objects -> {
                List<List<ObjectMetadata>> groups = groups(objects, state.startOffset(), endOffset);
                CompletableFuture<Result> done = CompletableFuture.completedFuture(
                    new Result(state.startOffset(), 0, 0, 0));
                for (List<ObjectMetadata> group : groups) {
                    done = done.thenCompose(before -> replacer.replace(streamId, group,
                            batch -> rewriteOne(batch, state.startOffset(), rewrite), executor)
                        .thenApply(written -> {
                            rewritten.increment(group.size());
                            long sourceBytes = group.stream().mapToLong(ObjectMetadata::objectSize).sum();
                            return new Result(lastRange(group).endOffset(), before.sourceObjects() + group.size(),
                                before.bytesBefore() + sourceBytes, before.bytesAfter() + written.objectSize());
                        }));
                }
                return done.whenComplete((result, error) -> {
                    if (result != null && result.sourceObjects() > 0) {
                        LOG.info("Rewrote stream {} below offset {}: {} objects, {} bytes to {}", streamId,
                            result.endOffset(), result.sourceObjects(), result.bytesBefore(), result.bytesAfter());
                    }
                });
            }));
    }

    /** Batches below the start offset are unreadable and go as they are; they leave with the object. */
    private static StreamRecordBatch rewriteOne(StreamRecordBatch batch, long startOffset, BatchRewrite rewrite) {
        if (batch.endOffset() <= startOffset) {
            return batch;
        }
        ByteBuffer payload = rewrite.rewrite(batch);
        return new StreamRecordBatch(batch.streamId(), batch.epoch(), batch.baseOffset(), batch.count(), payload);
    }

    /** Contiguous objects from the one holding {@code startOffset} up to {@code endOffset}, by size. */
    private List<List<ObjectMetadata>> groups(List<ObjectMetadata> objects, long startOffset, long endOffset) {
        long limit = Math.min(config.streamObjectTargetBytes(), config.compactionMaxBytes());
        List<List<ObjectMetadata>> groups = new ArrayList<>();
        List<ObjectMetadata> group = new ArrayList<>();
        long bytes = 0;
        long next = startOffset;
        for (ObjectMetadata object : objects) {
            StreamOffsetRange range = object.ranges().get(0);
            if (range.endOffset() <= next) {
                continue;
            }
            if (range.startOffset() > next || range.endOffset() > endOffset) {
                break;
            }
            if (!group.isEmpty() && bytes + object.objectSize() > limit) {
                groups.add(group);
                group = new ArrayList<>();
                bytes = 0;
            }
            group.add(object);
            bytes += object.objectSize();
            next = range.endOffset();
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    private static StreamOffsetRange lastRange(List<ObjectMetadata> group) {
        return group.get(group.size() - 1).ranges().get(0);
    }
}
