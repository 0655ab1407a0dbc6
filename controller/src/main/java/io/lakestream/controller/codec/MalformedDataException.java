package io.lakestream.controller.codec;

/** Bytes that do not follow the layout they claim: a bug or corruption, never user input. */
public class MalformedDataException extends RuntimeException {
    public MalformedDataException(String message) {
        super(message);
    }
}
