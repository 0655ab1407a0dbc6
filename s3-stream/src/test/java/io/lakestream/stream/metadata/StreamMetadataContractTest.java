package io.lakestream.stream.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link StreamMetadata} implementation enforces. Subclasses supply the
 * implementation: the in-memory one here, the controller in its own module.
 */
public abstract class StreamMetadataContractTest {
    protected static final int NODE = 1;
    protected static final long GRACE_MILLIS = 1_000;
    protected static final long TTL_MILLIS = 60_000;

    protected final AtomicLong now = new AtomicLong(1_000_000);
    protected StreamMetadata metadata;

    /** A fresh, empty metadata using {@code clock} for expiry and grace periods. */
    protected abstract StreamMetadata createMetadata(LongSupplier clock, long destroyGraceMillis);

    @BeforeEach
    void createMetadata() {
        metadata = createMetadata(now::get, GRACE_MILLIS);
    }

    @Test
    void openingBumpsTheEpochAndFencesTheOldOne() {
        long stream = join(metadata.createStream());
        StreamState first = join(metadata.openStream(stream, NODE));
        StreamState second = join(metadata.openStream(stream, 2));

        assertThat(second.epoch()).isGreaterThan(first.epoch());
        assertRefused(() -> join(metadata.trimStream(stream, first.epoch(), 0)), MetadataError.STALE_EPOCH);
        assertRefused(() -> join(metadata.closeStream(stream, first.epoch())), MetadataError.STALE_EPOCH);
        assertThat(join(metadata.openStreams(2))).extracting(StreamState::streamId).containsExactly(stream);
        assertThat(join(metadata.openStreams(NODE))).isEmpty();
    }

    @Test
    void zombieCommitWithStaleEpochIsRefusedAndChangesNothing() {
        long stream = join(metadata.createStream());
        StreamState zombie = join(metadata.openStream(stream, NODE));
        commitUpload(stream, zombie.epoch(), 0, 10);
        join(metadata.openStream(stream, 2));

        long id = join(metadata.prepareObjects(1, TTL_MILLIS));
        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(id,
            new StreamOffsetRange(stream, zombie.epoch(), 10, 20)))), MetadataError.STALE_EPOCH);

        assertThat(join(metadata.describeStream(stream)).endOffset()).isEqualTo(10);
        assertThat(join(metadata.getObjects(stream, 0, -1, 100))).extracting(ObjectRange::endOffset)
            .containsExactly(10L);
    }

    @Test
    void uploadsMustExtendTheStreamContiguously() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        commitUpload(stream, epoch, 0, 10);

        long gap = join(metadata.prepareObjects(1, TTL_MILLIS));
        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(gap,
            new StreamOffsetRange(stream, epoch, 11, 20)))), MetadataError.OFFSET_NOT_CONTIGUOUS);
        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(gap,
            new StreamOffsetRange(stream, epoch, 5, 20)))), MetadataError.OFFSET_NOT_CONTIGUOUS);

        commitUpload(stream, epoch, 10, 20);
        assertThat(join(metadata.getObjects(stream, 0, -1, 100)))
            .extracting(ObjectRange::startOffset, ObjectRange::endOffset)
            .containsExactly(tuple(0L, 10L), tuple(10L, 20L));
    }

    @Test
    void commitNeedsAPreparedUnexpiredObject() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();

        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(12345,
            new StreamOffsetRange(stream, epoch, 0, 10)))), MetadataError.OBJECT_NOT_PREPARED);

        long id = join(metadata.prepareObjects(1, TTL_MILLIS));
        now.addAndGet(TTL_MILLIS);
        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(id,
            new StreamOffsetRange(stream, epoch, 0, 10)))), MetadataError.OBJECT_EXPIRED);

        now.addAndGet(GRACE_MILLIS);
        assertThat(join(metadata.getObjectsToDestroy())).as("an expired prepared object is garbage").contains(id);
    }

    @Test
    void streamSetObjectsAndStreamObjectsCommitTogether() {
        long a = join(metadata.createStream());
        long b = join(metadata.createStream());
        long epochA = join(metadata.openStream(a, NODE)).epoch();
        long epochB = join(metadata.openStream(b, NODE)).epoch();
        long first = join(metadata.prepareObjects(2, TTL_MILLIS));

        join(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(first, NODE, 100,
            List.of(new StreamOffsetRange(a, epochA, 0, 5)),
            List.of(new StreamObject(first + 1, 1000, new StreamOffsetRange(b, epochB, 0, 50))), List.of())));

        assertThat(join(metadata.getObjects(a, 0, -1, 10))).singleElement()
            .satisfies(r -> assertThat(r.type()).isEqualTo(ObjectType.STREAM_SET));
        assertThat(join(metadata.getObjects(b, 0, -1, 10))).singleElement()
            .satisfies(r -> assertThat(r.type()).isEqualTo(ObjectType.STREAM));
        assertThat(join(metadata.describeStream(b)).endOffset()).isEqualTo(50);
        assertThat(join(metadata.getStreamSetObjects(NODE))).extracting(ObjectMetadata::objectId)
            .containsExactly(first);
    }

    @Test
    void getObjectsReturnsOnlyOverlappingRangesInOrder() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        for (int i = 0; i < 5; i++) {
            commitUpload(stream, epoch, i * 10, i * 10 + 10);
        }
        assertThat(join(metadata.getObjects(stream, 15, 35, 100))).extracting(ObjectRange::startOffset)
            .containsExactly(10L, 20L, 30L);
        assertThat(join(metadata.getObjects(stream, 15, -1, 2))).extracting(ObjectRange::startOffset)
            .containsExactly(10L, 20L);
        assertThat(join(metadata.getObjects(stream, 50, -1, 100))).isEmpty();
    }

    @Test
    void streamSetCompactionReplacesSourcesAtomically() {
        long a = join(metadata.createStream());
        long b = join(metadata.createStream());
        long epochA = join(metadata.openStream(a, NODE)).epoch();
        long epochB = join(metadata.openStream(b, NODE)).epoch();
        long first = commitUpload(List.of(new StreamOffsetRange(a, epochA, 0, 10),
            new StreamOffsetRange(b, epochB, 0, 3)));
        long second = commitUpload(List.of(new StreamOffsetRange(a, epochA, 10, 20),
            new StreamOffsetRange(b, epochB, 3, 7)));

        long out = join(metadata.prepareObjects(2, TTL_MILLIS));
        // Output that loses part of a source is refused.
        assertRefused(() -> join(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(out, NODE, 1,
            List.of(new StreamOffsetRange(b, epochB, 0, 7)),
            List.of(new StreamObject(out + 1, 1, new StreamOffsetRange(a, epochA, 0, 15))),
            List.of(first, second)))), MetadataError.OFFSET_NOT_CONTIGUOUS);

        join(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(out, NODE, 1,
            List.of(new StreamOffsetRange(b, epochB, 0, 7)),
            List.of(new StreamObject(out + 1, 1, new StreamOffsetRange(a, epochA, 0, 20))),
            List.of(first, second))));

        assertThat(join(metadata.getObjects(a, 0, -1, 10))).extracting(ObjectRange::objectId).containsExactly(out + 1);
        assertThat(join(metadata.getObjects(b, 0, -1, 10))).extracting(ObjectRange::objectId).containsExactly(out);
        now.addAndGet(GRACE_MILLIS);
        assertThat(join(metadata.getObjectsToDestroy())).containsExactlyInAnyOrder(first, second);
        join(metadata.markObjectsDestroyed(List.of(first, second)));
        assertThat(join(metadata.getObjectsToDestroy())).isEmpty();
    }

    @Test
    void streamObjectCompactionMergesContiguousSources() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        long[] sources = new long[3];
        for (int i = 0; i < 3; i++) {
            long id = join(metadata.prepareObjects(1, TTL_MILLIS));
            join(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(-1, NODE, 0, List.of(),
                List.of(new StreamObject(id, 10, new StreamOffsetRange(stream, epoch, i * 10, i * 10 + 10))),
                List.of())));
            sources[i] = id;
        }
        long merged = join(metadata.prepareObjects(1, TTL_MILLIS));
        assertRefused(() -> join(metadata.commitStreamObject(new CommitStreamObjectRequest(
            new StreamObject(merged, 30, new StreamOffsetRange(stream, epoch, 0, 30)),
            List.of(sources[0], sources[2])))), MetadataError.OFFSET_NOT_CONTIGUOUS);

        join(metadata.commitStreamObject(new CommitStreamObjectRequest(
            new StreamObject(merged, 30, new StreamOffsetRange(stream, epoch, 0, 30)),
            List.of(sources[0], sources[1], sources[2]))));
        assertThat(join(metadata.getStreamObjects(stream))).extracting(ObjectMetadata::objectId)
            .containsExactly(merged);
    }

    @Test
    void trimMakesWholeObjectsBelowTheStartGarbageAfterTheGracePeriod() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        long first = commitUpload(stream, epoch, 0, 10);
        long second = commitUpload(stream, epoch, 10, 20);

        join(metadata.trimStream(stream, epoch, 15));

        assertThat(join(metadata.describeStream(stream)).startOffset()).isEqualTo(15);
        assertThat(join(metadata.getObjects(stream, 0, -1, 10))).extracting(ObjectRange::objectId)
            .containsExactly(second);
        assertThat(join(metadata.getObjectsToDestroy())).as("still in its grace period").isEmpty();
        now.addAndGet(GRACE_MILLIS);
        assertThat(join(metadata.getObjectsToDestroy())).containsExactly(first);
    }

    @Test
    void deletingAStreamMakesItsObjectsGarbage() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        long object = commitUpload(stream, epoch, 0, 10);

        join(metadata.deleteStream(stream, epoch));

        assertRefused(() -> join(metadata.describeStream(stream)), MetadataError.STREAM_NOT_FOUND);
        now.addAndGet(GRACE_MILLIS);
        assertThat(join(metadata.getObjectsToDestroy())).containsExactly(object);
    }

    @Test
    void closedStreamTakesNoUploads() {
        long stream = join(metadata.createStream());
        long epoch = join(metadata.openStream(stream, NODE)).epoch();
        join(metadata.closeStream(stream, epoch));
        long id = join(metadata.prepareObjects(1, TTL_MILLIS));
        assertRefused(() -> join(metadata.commitStreamSetObject(streamSet(id,
            new StreamOffsetRange(stream, epoch, 0, 10)))), MetadataError.STREAM_NOT_OPEN);
    }

    /** Commits one stream-set object holding one range and returns its id. */
    protected long commitUpload(long stream, long epoch, long start, long end) {
        return commitUpload(List.of(new StreamOffsetRange(stream, epoch, start, end)));
    }

    protected long commitUpload(List<StreamOffsetRange> ranges) {
        long id = join(metadata.prepareObjects(1, TTL_MILLIS));
        join(metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, NODE, 100, ranges, List.of(),
            List.of())));
        return id;
    }

    private static CommitStreamSetObjectRequest streamSet(long id, StreamOffsetRange range) {
        return new CommitStreamSetObjectRequest(id, NODE, 100, List.of(range), List.of(), List.of());
    }

    protected static <T> T join(CompletableFuture<T> future) {
        return future.join();
    }

    protected static void assertRefused(ThrowingCallable call, MetadataError expected) {
        assertThatThrownBy(call)
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOfSatisfying(StreamMetadataException.class,
                e -> assertThat(e.error()).as(e.getMessage()).isEqualTo(expected));
    }
}
