package io.lakestream.controller.client;

/** No controller answered within the retry policy: the call may or may not have been applied. */
public class ControllerUnavailableException extends RuntimeException {
    public ControllerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
