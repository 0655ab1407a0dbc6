package io.lakestream.broker.network;

/** A request frame that does not parse; its connection is closed. */
final class MalformedRequestException extends RuntimeException {
    MalformedRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
