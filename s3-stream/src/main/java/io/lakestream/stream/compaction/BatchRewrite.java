package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import java.nio.ByteBuffer;

/**
 * The new payload of one batch in a {@link StreamRewriter} run: for a Kafka partition, the
 * record batch with the records a log cleaner drops taken out. The batch keeps its offsets,
 * so a payload may shrink to a header but never goes away. Called on the executor the
 * rewrite was given, one batch at a time.
 */
@FunctionalInterface
public interface BatchRewrite {
    ByteBuffer rewrite(StreamRecordBatch batch);
}
