package io.lakestream.wal;

/** A write-ahead log failure; the message names the log and what failed. */
public class WalException extends RuntimeException {
    public WalException(String message) {
        super(message);
    }

    public WalException(String message, Throwable cause) {
        super(message, cause);
    }
}
