package io.lakestream.broker.partition;

import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Where an append landed, as a produce response reports it.
 *
 * @param firstOffset the offset of the first record appended (or of the original append, for a duplicate)
 * @param lastOffset the offset of the last record
 * @param logAppendTimeMs the broker's timestamp for LogAppendTime topics, else {@link RecordBatch#NO_TIMESTAMP}
 * @param logStartOffset the partition's log start offset after the append
 * @param duplicate whether the batch was a retry of one already appended, so nothing was written
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
                           boolean duplicate) {}
