package io.lakestream.controller.state;

import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.stream.metadata.StreamMetadataException;

/**
 * What applying a command or answering a query produced: a value, or a refusal that changed
 * nothing. A refusal is a {@link StreamMetadataException} (streams and objects) or a
 * {@link ClusterMetadataException} (everything else), never another exception.
 */
public record CommandResult<R>(R value, RuntimeException refusal) {

    public CommandResult {
        if (refusal != null && !(refusal instanceof StreamMetadataException)
            && !(refusal instanceof ClusterMetadataException)) {
            throw new IllegalArgumentException("not a refusal: " + refusal);
        }
    }

    public static <R> CommandResult<R> success(R value) {
        return new CommandResult<>(value, null);
    }

    public static <R> CommandResult<R> refused(RuntimeException refusal) {
        return new CommandResult<>(null, refusal);
    }

    public boolean isRefused() {
        return refusal != null;
    }

    /** The value, or the refusal thrown. */
    public R orThrow() {
        if (refusal != null) {
            throw refusal;
        }
        return value;
    }

    public byte[] toReply(ValueCodec<R> codec) {
        if (refusal instanceof StreamMetadataException e) {
            return ReplyCodec.failure(e.error(), messageOf(e));
        }
        if (refusal instanceof ClusterMetadataException e) {
            return ReplyCodec.failure(e.error(), e.detail());
        }
        return ReplyCodec.success(codec, value);
    }

    /** The message without the "ERROR: " prefix that {@link StreamMetadataException} adds. */
    private static String messageOf(StreamMetadataException e) {
        String prefix = e.error() + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
