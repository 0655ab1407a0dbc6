package io.lakestream.broker.table;

import io.lakestream.controller.client.ControllerChannel;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.table.registry.RegistryException;
import io.lakestream.table.registry.RegistryLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The schema registry's log in the controller's key-value store, one key per slot
 * ({@value #PREFIX}0, 1, ...), each written with {@code PutKvIfAbsent}.
 *
 * <p>Why here and not in a compacted {@code _schemas} topic as Confluent keeps it: ids must be
 * given out once across brokers that all accept writes. A topic has one leader, so a broker
 * that does not lead {@code _schemas} would have to forward writes to one that does (Confluent
 * elects a registry leader for that), and a slot-claiming replay could not be compacted. The
 * controller's Raft log already orders every command of the cluster: a put-if-absent on the
 * next slot is the whole agreement, any broker can write, and the entries survive restarts
 * with the rest of the cluster's metadata. Schemas are few and small, so the store stays small.
 *
 * <p>Thread-safe: the controller client is.
 */
public final class ControllerRegistryLog implements RegistryLog {
    static final String PREFIX = "schema-registry/log/";
    private static final long TIMEOUT_SECONDS = 30;

    private final ControllerChannel controller;

    public ControllerRegistryLog(ControllerChannel controller) {
        this.controller = controller;
    }

    @Override
    public byte[] read(long index) throws RegistryException {
        return await(controller.query(new ControllerQuery.GetKv(PREFIX + index)), "read");
    }

    @Override
    public byte[] putIfAbsent(long index, byte[] entry) throws RegistryException {
        return await(controller.execute(new ControllerCommand.PutKvIfAbsent(PREFIX + index, entry)), "write");
    }

    private static byte[] await(CompletableFuture<byte[]> call, String what) throws RegistryException {
        try {
            return call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(500, 50002, "Interrupted while the schema registry's entries were "
                + what + " at the controller");
        } catch (ExecutionException | TimeoutException e) {
            RegistryException error = new RegistryException(500, 50002, "The controller did not " + what
                + " the schema registry's entries: " + (e.getCause() != null ? e.getCause() : e));
            error.initCause(e);
            throw error;
        }
    }
}
