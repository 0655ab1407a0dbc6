package io.lakestream.controller.state;

import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.controller.command.ReplyCodec;
import io.lakestream.stream.metadata.StreamMetadataException;

/** What applying a command or answering a query produced: a value, or a refusal that changed nothing. */
public record CommandResult<R>(R value, StreamMetadataException refusal) {

    public static <R> CommandResult<R> success(R value) {
        return new CommandResult<>(value, null);
    }

    public static <R> CommandResult<R> refused(StreamMetadataException refusal) {
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
        return refusal != null
            ? ReplyCodec.failure(refusal.error(), messageOf(refusal))
            : ReplyCodec.success(codec, value);
    }

    /** The message without the "ERROR: " prefix that {@link StreamMetadataException} adds. */
    private static String messageOf(StreamMetadataException e) {
        String prefix = e.error() + ": ";
        String message = e.getMessage();
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
