package io.lakestream.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Answers requests. {@link #handle} is called for the requests of one connection one at a
 * time, in the order they arrived, so that (for example) the pipelined produce requests of an
 * idempotent producer are appended in order; the returned futures may complete in any order
 * and on any thread, and responses still leave in request order.
 *
 * <p>{@link #handle} must not block: work that waits (the write-ahead log, the object store,
 * the controller, a long poll) completes the future later. It runs on a request thread, or for
 * a small fetch on the connection's event loop ({@link RequestDispatcher}). A future completed
 * with {@code null} sends no response (a produce request with acks=0).
 */
@FunctionalInterface
public interface RequestHandler {
    CompletableFuture<AbstractResponse> handle(KafkaRequest request);
}
