package io.lakestream.controller.client;

import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import java.util.concurrent.CompletableFuture;

/**
 * Where controller commands and queries go: the Raft quorum ({@link ControllerClient}) or, in
 * tests, a state applied in place. A refusal completes the future with the exception the
 * state refused with, code and message intact: a
 * {@link io.lakestream.stream.metadata.StreamMetadataException} for streams and objects, a
 * {@link io.lakestream.controller.cluster.ClusterMetadataException} (Kafka's {@code Errors})
 * for the rest. Implementations are thread-safe.
 */
public interface ControllerChannel {

    /** Appends {@code command} to the metadata log and returns its result once applied. */
    <R> CompletableFuture<R> execute(ControllerCommand<R> command);

    /** Reads the state; linearizable with the commands this channel has completed. */
    <R> CompletableFuture<R> query(ControllerQuery<R> query);
}
