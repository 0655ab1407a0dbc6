package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.client.ControllerStreamMetadata;
import io.lakestream.controller.command.ClusterDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transitions of the RocksDB state that the s3-stream contract does not cover. */
class MetadataStateTest {
    private static final int NODE = 1;
    private static final long TTL = 60_000;

    @TempDir
    Path dir;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private MetadataState state;
    private LocalControllerChannel channel;
    private ControllerStreamMetadata metadata;

    @BeforeEach
    void open() {
        state = MetadataState.open(dir.resolve("db"), "cluster-a", 1_000);
        channel = new LocalControllerChannel(state, clock::get);
        metadata = new ControllerStreamMetadata(channel);
    }

    @AfterEach
    void close() {
        state.close();
    }

    @Test
    void everyAppliedCommandAdvancesTheMetadataOffsetToItsLogIndex() {
        assertThat(state.appliedOffset()).isZero();
        state.apply(3, 7, clock.get(), new ControllerCommand.CreateStream());
        state.apply(3, 9, clock.get(), new ControllerCommand.CreateStream());

        assertThat(state.appliedOffset()).isEqualTo(9);
        assertThat(state.appliedTerm()).isEqualTo(3);
        assertThat(state.query(new ControllerQuery.DescribeCluster(), clock.get()).orThrow())
            .isEqualTo(new ClusterDescription("cluster-a", 9));
    }

    @Test
    void applyingAnOffsetThatWasAlreadyAppliedIsRejected() {
        state.apply(1, 5, clock.get(), new ControllerCommand.CreateStream());
        assertThatThrownBy(() -> state.apply(1, 5, clock.get(), new ControllerCommand.CreateStream()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 5");
    }

    @Test
    void refusedCommandChangesNothingButTheMetadataOffset() {
        long stream = metadata.createStream().join();
        long epoch = metadata.openStream(stream, NODE).join().epoch();
        long prepared = metadata.prepareObjects(2, TTL).join();
        Map<String, Map<String, String>> before = dumpWithoutOffset();

        // The second range leaves a gap: the whole commit, including the valid first range, is refused.
        CommandResult<Void> result = state.apply(1, state.appliedOffset() + 1, clock.get(),
            new ControllerCommand.CommitStreamSetObject(new CommitStreamSetObjectRequest(prepared, NODE, 10,
                List.of(new StreamOffsetRange(stream, epoch, 0, 10), new StreamOffsetRange(stream, epoch, 11, 20)),
                List.of(), List.of())));

        assertThat(((StreamMetadataException) result.refusal()).error()).isEqualTo(MetadataError.OFFSET_NOT_CONTIGUOUS);
        assertThat(result.refusal()).hasMessageContaining("stream " + stream).hasMessageContaining("[11, 20)");
        assertThat(dumpWithoutOffset()).isEqualTo(before);
        assertThat(state.appliedOffset()).isEqualTo(4);
    }

    @Test
    void replayingTheLogOnAnotherReplicaGivesTheSameStateWhateverItsClock() {
        long stream = metadata.createStream().join();
        long epoch = metadata.openStream(stream, NODE).join().epoch();
        long expired = metadata.prepareObjects(1, TTL).join();
        for (int i = 0; i < 3; i++) {
            long id = metadata.prepareObjects(1, TTL).join();
            metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, NODE, 10,
                List.of(new StreamOffsetRange(stream, epoch, i * 10, i * 10 + 10)), List.of(), List.of())).join();
        }
        clock.addAndGet(TTL);
        metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(expired, NODE, 10,
            List.of(new StreamOffsetRange(stream, epoch, 30, 40)), List.of(), List.of()))
            .exceptionally(e -> null).join();
        metadata.trimStream(stream, epoch, 15).join();

        try (MetadataState replica = MetadataState.open(dir.resolve("replica"), "cluster-a", 1_000)) {
            for (byte[] entry : channel.log()) {
                LocalControllerChannel.applyEntry(replica, entry);
            }
            assertThat(dump(replica)).isEqualTo(dump(state));
        }
    }

    @Test
    void stateAndMetadataOffsetSurviveReopening() {
        long stream = metadata.createStream().join();
        StreamState opened = metadata.openStream(stream, NODE).join();
        long offset = state.appliedOffset();
        state.close();

        state = MetadataState.open(dir.resolve("db"), "another-id-is-ignored", 1_000);
        channel = new LocalControllerChannel(state, clock::get);
        metadata = new ControllerStreamMetadata(channel);

        assertThat(state.appliedOffset()).isEqualTo(offset);
        assertThat(state.clusterId()).isEqualTo("cluster-a");
        assertThat(metadata.describeStream(stream).join()).isEqualTo(opened);
        assertThat(metadata.createStream().join()).isEqualTo(stream + 1);
    }

    @Test
    void checkpointOpensAsTheSameStateAtTheSameOffset() {
        long stream = metadata.createStream().join();
        long epoch = metadata.openStream(stream, NODE).join().epoch();
        long id = metadata.prepareObjects(1, TTL).join();
        metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(id, NODE, 10,
            List.of(new StreamOffsetRange(stream, epoch, 0, 10)), List.of(), List.of())).join();

        state.checkpoint(dir.resolve("checkpoint"));
        metadata.createStream().join();

        try (MetadataState restored = MetadataState.open(dir.resolve("checkpoint"), "ignored", 1_000)) {
            assertThat(restored.appliedOffset()).isEqualTo(state.appliedOffset() - 1);
            assertThat(restored.query(new ControllerQuery.GetObjects(stream, 0, -1, 10), clock.get()).orThrow())
                .extracting(ObjectRange::objectId).containsExactly(id);
        }
    }

    @Test
    void objectSharedByTwoStreamsBecomesGarbageOnlyWhenBothTrimmedPastIt() {
        long a = metadata.createStream().join();
        long b = metadata.createStream().join();
        long epochA = metadata.openStream(a, NODE).join().epoch();
        long epochB = metadata.openStream(b, NODE).join().epoch();
        long shared = metadata.prepareObjects(1, TTL).join();
        metadata.commitStreamSetObject(new CommitStreamSetObjectRequest(shared, NODE, 10,
            List.of(new StreamOffsetRange(a, epochA, 0, 10), new StreamOffsetRange(b, epochB, 0, 10)),
            List.of(), List.of())).join();
        clock.addAndGet(1_000);

        metadata.trimStream(a, epochA, 10).join();
        clock.addAndGet(1_000);
        assertThat(metadata.getObjectsToDestroy().join()).as("stream b still reads it").isEmpty();
        assertThat(metadata.getStreamSetObjects(NODE).join()).hasSize(1);

        metadata.trimStream(b, epochB, 10).join();
        clock.addAndGet(1_000);
        assertThat(metadata.getObjectsToDestroy().join()).containsExactly(shared);
        assertThat(metadata.getStreamSetObjects(NODE).join()).isEmpty();
    }

    @Test
    void reopeningAStreamMovesItBetweenNodes() {
        long stream = metadata.createStream().join();
        metadata.openStream(stream, NODE).join();
        StreamState moved = metadata.openStream(stream, 2).join();
        metadata.closeStream(stream, moved.epoch()).join();

        assertThat(metadata.openStreams(NODE).join()).isEmpty();
        assertThat(metadata.openStreams(2).join()).isEmpty();
        assertThat(metadata.describeStream(stream).join().open()).isFalse();
    }

    private Map<String, Map<String, String>> dumpWithoutOffset() {
        return StateDump.withoutOffset(state);
    }

    private static Map<String, Map<String, String>> dump(MetadataState state) {
        return StateDump.of(state);
    }
}
