package io.lakestream.broker.handler.admin;

import io.lakestream.broker.network.Failures;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/** Turns the failure of a controller call into the error code and message a Kafka admin client expects. */
final class AdminErrors {
    private AdminErrors() {}

    static Throwable unwrap(Throwable error) {
        return Failures.cause(error);
    }

    static Errors code(Throwable error) {
        return Errors.forException(unwrap(error));
    }

    /** The message for the client: an API error's own; for anything else, what went wrong without internals. */
    static String message(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof ApiException ? cause.getMessage() : "The controller could not apply the change: "
            + cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
