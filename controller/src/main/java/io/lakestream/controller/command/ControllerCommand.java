package io.lakestream.controller.command;

import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamState;
import java.util.List;

/**
 * A change to the controller's state: one Raft log entry. Applying a command is a pure
 * function of the state, the command and the time the leader stamped on it
 * ({@link CommandCodec#stamp}); {@code R} is what the caller gets back.
 */
public sealed interface ControllerCommand<R> {

    /** How the result travels back to the caller. */
    ValueCodec<R> resultCodec();

    record CreateStream() implements ControllerCommand<Long> {
        @Override
        public ValueCodec<Long> resultCodec() {
            return ValueCodecs.LONG;
        }
    }

    record OpenStream(long streamId, int nodeId) implements ControllerCommand<StreamState> {
        @Override
        public ValueCodec<StreamState> resultCodec() {
            return ValueCodecs.STREAM_STATE;
        }
    }

    record CloseStream(long streamId, long epoch) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record TrimStream(long streamId, long epoch, long newStartOffset) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record DeleteStream(long streamId, long epoch) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    /** Reserves {@code count} object ids that expire {@code ttlMillis} after the command's time. */
    record PrepareObjects(int count, long ttlMillis) implements ControllerCommand<Long> {
        @Override
        public ValueCodec<Long> resultCodec() {
            return ValueCodecs.LONG;
        }
    }

    record CommitStreamSetObject(CommitStreamSetObjectRequest request) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record CommitStreamObject(CommitStreamObjectRequest request) implements ControllerCommand<Void> {
        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }

    record MarkObjectsDestroyed(List<Long> objectIds) implements ControllerCommand<Void> {
        public MarkObjectsDestroyed {
            objectIds = List.copyOf(objectIds);
        }

        @Override
        public ValueCodec<Void> resultCodec() {
            return ValueCodecs.VOID;
        }
    }
}
