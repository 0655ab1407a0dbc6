package io.lakestream.controller.client;

import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.command.CommandBatchCodec;
import io.micrometer.core.instrument.DistributionSummary;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Coalesces commands into Raft requests, as Kafka's producer coalesces records: a command goes
 * out at once while fewer than {@code maxInFlight} requests are outstanding; otherwise it waits,
 * and when a request completes, the waiting commands (up to {@code maxBatchBytes}) go out as one
 * {@link CommandBatchCodec batch}: one log entry, one replication round and one reply for all of
 * them. There is no timer, so a lone command is never delayed; batches grow only when commands
 * arrive faster than the quorum commits them.
 *
 * <p>Commands keep their submission order: batches are sent in order, and Ratis applies one
 * client's requests in the order they were sent. Each command is acknowledged only once the
 * entry that carries it is committed and applied.
 *
 * <p>Thread-safe: one lock guards the waiting queue and the in-flight count; requests are sent
 * and completed outside it.
 */
final class CommandBatcher {
    private final Function<byte[], CompletableFuture<byte[]>> sender;
    private final int maxInFlight;
    private final int maxBatchBytes;
    private final DistributionSummary batchSize;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;

    /** One command: its encoding and where its encoded reply goes. */
    private record Pending(byte[] command, CompletableFuture<byte[]> reply) {}

    /**
     * @param sender sends a lone command or a batch and completes with the reply's content, or
     *     fails with the reason every command of it failed
     * @param batchSize records the number of commands of each request sent
     */
    CommandBatcher(Function<byte[], CompletableFuture<byte[]>> sender, int maxInFlight, int maxBatchBytes,
                   DistributionSummary batchSize) {
        this.sender = sender;
        this.maxInFlight = maxInFlight;
        this.maxBatchBytes = maxBatchBytes;
        this.batchSize = batchSize;
    }

    /** Sends {@code command} (a {@code CommandCodec} encoding); completes with its encoded reply. */
    CompletableFuture<byte[]> submit(byte[] command) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        List<Pending> batch = null;
        synchronized (this) {
            waiting.add(new Pending(command, reply));
            if (inFlight < maxInFlight) {
                inFlight++;
                batch = takeBatch();
            }
        }
        if (batch != null) {
            send(batch);
        }
        return reply;
    }

    /** The longest prefix of the waiting commands within {@code maxBatchBytes}, at least one. Holds the lock. */
    private List<Pending> takeBatch() {
        List<Pending> batch = new ArrayList<>();
        int bytes = 0;
        while (!waiting.isEmpty() && (batch.isEmpty() || bytes + waiting.peek().command().length <= maxBatchBytes)) {
            Pending next = waiting.poll();
            bytes += next.command().length;
            batch.add(next);
        }
        return batch;
    }

    private void send(List<Pending> batch) {
        batchSize.record(batch.size());
        byte[] payload;
        if (batch.size() == 1) {
            payload = batch.get(0).command();
        } else {
            List<byte[]> commands = new ArrayList<>(batch.size());
            batch.forEach(pending -> commands.add(pending.command()));
            payload = CommandBatchCodec.encode(commands);
        }
        CompletableFuture<byte[]> sent;
        try {
            sent = sender.apply(payload);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((content, failure) -> {
            sendWaiting();
            complete(batch, content, failure);
        });
    }

    /** After a request completes: sends what has been waiting, or frees its in-flight slot. */
    private void sendWaiting() {
        List<Pending> next;
        synchronized (this) {
            if (waiting.isEmpty()) {
                inFlight--;
                return;
            }
            next = takeBatch();
        }
        send(next);
    }

    private static void complete(List<Pending> batch, byte[] content, Throwable failure) {
        if (failure != null) {
            batch.forEach(pending -> pending.reply().completeExceptionally(failure));
        } else if (batch.size() == 1) {
            batch.get(0).reply().complete(content);
        } else {
            List<byte[]> replies;
            try {
                replies = CommandBatchCodec.decode(content);
                if (replies.size() != batch.size()) {
                    throw new MalformedDataException(replies.size() + " replies to a batch of " + batch.size());
                }
            } catch (MalformedDataException e) {
                batch.forEach(pending -> pending.reply().completeExceptionally(e));
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).reply().complete(replies.get(i));
            }
        }
    }
}
