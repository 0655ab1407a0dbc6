package io.lakestream.broker.handler.fetch;

import io.lakestream.broker.handler.fetch.FetchHandler.Target;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.partition.ReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * One fetch request's reads, repeated until enough bytes are ready or its time is up. Between
 * attempts it holds no thread: it waits on the partitions' next append and on a timer,
 * whichever fires first. Single use.
 */
final class LongPoll {
    private final List<Target> targets;
    private final FetchRequest request;
    private final long deadlineNanos;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<List<Reading>> result = new CompletableFuture<>();

    LongPoll(List<Target> targets, FetchRequest request, long deadlineNanos, ScheduledExecutorService timer) {
        this.targets = targets;
        this.request = request;
        this.deadlineNanos = deadlineNanos;
        this.timer = timer;
    }

    /** What one partition gave: data, or an error. */
    record Reading(ReadResult data, Errors error) {
        /**
         * As Kafka answers: the aborted transactions are listed only to a read-committed
         * consumer, and are null for everyone else and for errors.
         */
        FetchResponseData.PartitionData toPartitionData(int partition) {
            if (error != Errors.NONE) {
                return FetchHandler.errorData(partition, error);
            }
            return new FetchResponseData.PartitionData()
                .setPartitionIndex(partition)
                .setErrorCode(Errors.NONE.code())
                .setHighWatermark(data.highWatermark())
                .setLastStableOffset(data.lastStableOffset())
                .setLogStartOffset(data.logStartOffset())
                .setAbortedTransactions(data.abortedTransactions() == null ? null
                    : new ArrayList<>(data.abortedTransactions()))
                .setRecords(data.records());
        }
    }

    CompletableFuture<List<Reading>> run() {
        attempt();
        return result;
    }

    private void attempt() {
        readAll().whenComplete((readings, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            int bytes = 0;
            boolean anyError = false;
            for (Reading reading : readings) {
                if (reading.error() != Errors.NONE) {
                    anyError = true;
                } else {
                    bytes += reading.data().sizeInBytes();
                }
            }
            if (bytes >= request.minBytes() || anyError || System.nanoTime() >= deadlineNanos) {
                result.complete(readings);
            } else {
                waitForData();
            }
        });
    }

    /** Reads the partitions in order, each within what is left of the response's max bytes. */
    private CompletableFuture<List<Reading>> readAll() {
        List<Reading> readings = new ArrayList<>();
        CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
        for (Target target : targets) {
            chain = chain.thenCompose(usedBytes -> {
                if (target.log() == null) {
                    readings.add(new Reading(null, target.error()));
                    return CompletableFuture.completedFuture(usedBytes);
                }
                int left = request.maxBytes() - usedBytes;
                int maxBytes = Math.min(target.request().partitionMaxBytes(), Math.max(0, left));
                // KIP-74: the first partition with data returns at least one batch, however big.
                boolean minOneBatch = usedBytes == 0;
                return target.log().read(target.request().fetchOffset(), maxBytes, minOneBatch,
                    request.isolationLevel()).handle((data, error) -> {
                    if (error != null) {
                        readings.add(new Reading(null, Errors.forException(Failures.cause(error))));
                        return usedBytes;
                    }
                    readings.add(new Reading(data, Errors.NONE));
                    return usedBytes + data.sizeInBytes();
                });
            });
        }
        return chain.thenApply(ignored -> readings);
    }

    private void waitForData() {
        AtomicBoolean woken = new AtomicBoolean();
        List<AutoCloseable> registrations = new ArrayList<>();
        Runnable wake = () -> {
            if (woken.compareAndSet(false, true)) {
                registrations.forEach(LongPoll::closeQuietly);
                attempt();
            }
        };
        synchronized (registrations) {
            for (Target target : targets) {
                if (target.log() != null) {
                    registrations.add(target.log().onNextAppend(wake));
                }
            }
            long delayNanos = Math.max(0, deadlineNanos - System.nanoTime());
            ScheduledFuture<?> timeout = timer.schedule(wake, delayNanos, TimeUnit.NANOSECONDS);
            registrations.add(() -> timeout.cancel(false));
        }
        // An append that landed between the read and the registration must not be missed.
        for (Target target : targets) {
            if (target.log() != null
                && target.log().readableEnd(request.isolationLevel()) > target.request().fetchOffset()) {
                wake.run();
                return;
            }
        }
    }

    private static void closeQuietly(AutoCloseable registration) {
        try {
            registration.close();
        } catch (Exception ignored) {
            // Removing a waiter cannot fail.
        }
    }
}
