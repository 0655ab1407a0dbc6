package io.lakestream.stream;

/** A stream refused an operation; the message names the stream and why. */
public class StreamException extends RuntimeException {
    private final Reason reason;

    public StreamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public StreamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public enum Reason {
        /** An append did not start at the stream's next offset. */
        OFFSET_MISMATCH,
        /** A read asked for offsets below the start offset or above the confirm offset. */
        OFFSET_OUT_OF_RANGE,
        /** The stream was closed, or another node opened it with a newer epoch. */
        FENCED,
        CLOSED,
        /** The write-ahead log or the object store failed. */
        STORAGE_ERROR
    }
}
