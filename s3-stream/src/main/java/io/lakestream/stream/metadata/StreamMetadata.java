package io.lakestream.stream.metadata;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What s3-stream needs from the cluster metadata: stream life cycle with epoch fencing, and
 * the mapping of stream offsets to objects. The controller implements it for real;
 * {@link InMemoryStreamMetadata} serves unit tests.
 *
 * <p>Every call that names an epoch is refused with {@link MetadataError#STALE_EPOCH} when a
 * newer epoch has opened the stream since, so a broker that lost a stream cannot change it.
 * Refusals complete the future with a {@link StreamMetadataException}; a refused call
 * changes nothing. Implementations are thread-safe.
 */
public interface StreamMetadata {

    /** Creates an empty, closed stream and returns its id. */
    CompletableFuture<Long> createStream();

    /**
     * Opens a stream for writing on {@code nodeId}: bumps its epoch and returns its new
     * state. Any earlier epoch is fenced from then on.
     */
    CompletableFuture<StreamState> openStream(long streamId, int nodeId);

    CompletableFuture<Void> closeStream(long streamId, long epoch);

    /**
     * Moves the stream's start offset forward. Objects that then hold only offsets below it
     * become garbage. Trimming backwards is a no-op.
     */
    CompletableFuture<Void> trimStream(long streamId, long epoch, long newStartOffset);

    /** Deletes the stream; all its objects become garbage. */
    CompletableFuture<Void> deleteStream(long streamId, long epoch);

    /** The stream's current state, or {@link MetadataError#STREAM_NOT_FOUND}. */
    CompletableFuture<StreamState> describeStream(long streamId);

    /** Streams currently open on {@code nodeId}: what a restarting node must recover. */
    CompletableFuture<List<StreamState>> openStreams(int nodeId);

    /**
     * Reserves {@code count} consecutive object ids and returns the first. A prepared id
     * that is not committed within {@code ttlMillis} expires: a later commit of it is refused
     * and its object, if written, is listed for deletion.
     */
    CompletableFuture<Long> prepareObjects(int count, long ttlMillis);

    /**
     * Commits one upload: a stream-set object and the stream objects written with it. Each
     * stream range must start exactly at the stream's current end offset and carry the
     * stream's current epoch. For a compaction, {@code compactedObjectIds} names the
     * stream-set objects that the new objects replace, atomically.
     */
    CompletableFuture<Void> commitStreamSetObject(CommitStreamSetObjectRequest request);

    /**
     * Commits a stream object that replaces {@code sourceObjectIds} (stream object
     * compaction). The source objects must be contiguous and cover exactly its range.
     */
    CompletableFuture<Void> commitStreamObject(CommitStreamObjectRequest request);

    /**
     * The objects that hold offsets of {@code [startOffset, endOffset)} of a stream, ordered
     * by offset, at most {@code limit} of them; {@code endOffset = -1} means to the end.
     */
    CompletableFuture<List<ObjectRange>> getObjects(long streamId, long startOffset, long endOffset, int limit);

    /** The committed stream-set objects written by {@code nodeId}, oldest first. */
    CompletableFuture<List<ObjectMetadata>> getStreamSetObjects(int nodeId);

    /** The committed stream objects of a stream, ordered by offset. */
    CompletableFuture<List<ObjectMetadata>> getStreamObjects(long streamId);

    /**
     * Objects that no committed metadata references any more (compacted, trimmed, deleted,
     * or prepared and expired) and whose grace period has passed: safe to delete from the
     * object store.
     */
    CompletableFuture<List<Long>> getObjectsToDestroy();

    /** Forgets objects that were deleted from the object store. */
    CompletableFuture<Void> markObjectsDestroyed(List<Long> objectIds);
}
