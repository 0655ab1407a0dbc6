package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerCommand.CommitStreamSetObject;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.metadata.StreamState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands of one log entry apply as if each were applied alone, and commit together. */
class MetadataStateBatchTest {
    private static final long NOW = 1_000_000;

    @TempDir
    Path dir;
    private MetadataState state;
    private long stream;
    private long epoch;
    private long firstId;

    @BeforeEach
    void open() {
        state = MetadataState.open(dir.resolve("db"), "cluster-a", 1_000);
        stream = state.apply(1, 1, NOW, new ControllerCommand.CreateStream()).orThrow();
        StreamState opened = state.apply(1, 2, NOW, new ControllerCommand.OpenStream(stream, 1)).orThrow();
        epoch = opened.epoch();
        firstId = state.apply(1, 3, NOW, new ControllerCommand.PrepareObjects(10, 60_000)).orThrow();
    }

    @AfterEach
    void close() {
        state.close();
    }

    @Test
    void refusedCommandInABatchChangesNothingWhileTheOthersApplyInOrder() {
        List<CommandResult<?>> results = state.applyAll(1, 4, NOW, List.of(
            commit(firstId, 0, 10),
            commit(firstId + 1, 20, 30),
            commit(firstId + 2, 10, 20)));

        assertThat(results.get(0).isRefused()).as("first commit").isFalse();
        assertThat(results.get(1).refusal()).as("commit leaving a gap").isInstanceOfSatisfying(
            StreamMetadataException.class, refusal -> assertThat(refusal.error()).isEqualTo(MetadataError.OFFSET_NOT_CONTIGUOUS));
        assertThat(results.get(2).isRefused()).as("commit after the first, which it sees").isFalse();
        List<ObjectRange> ranges = state.query(new ControllerQuery.GetObjects(stream, 0, -1, 100), NOW).orThrow();
        assertThat(ranges).extracting(ObjectRange::objectId).containsExactly(firstId, firstId + 2);
        assertThat(state.appliedOffset()).isEqualTo(4);
    }

    @Test
    void batchAtOrBelowTheAppliedOffsetIsNotApplied() {
        state.applyAll(1, 4, NOW, List.of(commit(firstId, 0, 10)));

        assertThatThrownBy(() -> state.applyAll(1, 4, NOW, List.of(commit(firstId + 1, 10, 20))))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(state.query(new ControllerQuery.DescribeStream(stream), NOW).orThrow().endOffset()).isEqualTo(10);
    }

    private CommitStreamSetObject commit(long objectId, long start, long end) {
        return new CommitStreamSetObject(new CommitStreamSetObjectRequest(objectId, 1, 100,
            List.of(new StreamOffsetRange(stream, epoch, start, end)), List.of(), List.of()));
    }
}
