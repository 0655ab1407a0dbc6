package io.lakestream.stream;

import io.lakestream.stream.cache.LogCache;
import io.lakestream.stream.metadata.StreamState;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a node's write-ahead log into its log cache after a restart, keeping exactly the
 * batches that were durable but not yet committed:
 *
 * <ul>
 *   <li>a batch of a stream this node no longer has open, or of an older epoch, is left
 *       out (the stream's current owner decides about it);
 *   <li>a batch that ends at or below the stream's committed end offset is left out: it is
 *       already in an object, and replaying it would show it twice;
 *   <li>a gap in a stream (an append the log failed, after which the stream stopped
 *       acknowledging) ends that stream's replay: nothing after a gap was acknowledged.
 * </ul>
 *
 * Runs once, on the thread that starts the node.
 */
final class WalRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(WalRecovery.class);

    private final Map<Long, StreamState> ownStreams;
    private final Map<Long, Long> nextOffsets = new HashMap<>();
    private final Set<Long> streamsWithGap = new HashSet<>();
    private long replayed;
    private long replayedBytes;
    private long alreadyCommitted;
    private long notOwned;
    private long afterGap;

    WalRecovery(Map<Long, StreamState> ownStreams) {
        this.ownStreams = ownStreams;
    }

    void replay(WriteAheadLog wal, LogCache logCache) throws IOException {
        Iterator<WalRecord> records = wal.recover();
        while (records.hasNext()) {
            WalRecord record = records.next();
            StreamRecordBatch batch = StreamRecordBatch.decode(record.payload());
            if (keep(batch)) {
                logCache.put(batch, record.nextPosition());
                nextOffsets.put(batch.streamId(), batch.endOffset());
                replayed++;
                replayedBytes += batch.payloadSize();
            }
        }
        LOG.info("Recovered write-ahead log: {} batches ({} bytes) to upload, {} already committed, {} of streams no"
            + " longer ours, {} after a gap", replayed, replayedBytes, alreadyCommitted, notOwned, afterGap);
    }

    private boolean keep(StreamRecordBatch batch) {
        StreamState state = ownStreams.get(batch.streamId());
        if (state == null || state.epoch() != batch.epoch()) {
            notOwned++;
            return false;
        }
        if (batch.endOffset() <= state.endOffset()) {
            alreadyCommitted++;
            return false;
        }
        long expected = nextOffsets.getOrDefault(batch.streamId(), state.endOffset());
        if (streamsWithGap.contains(batch.streamId()) || batch.baseOffset() != expected) {
            if (streamsWithGap.add(batch.streamId())) {
                LOG.warn("Stream {} has a gap in the write-ahead log at offset {} (next batch starts at {}); the rest"
                    + " of it was never acknowledged and is not recovered", batch.streamId(), expected,
                    batch.baseOffset());
            }
            afterGap++;
            return false;
        }
        return true;
    }

    long replayedBatches() {
        return replayed;
    }
}
