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
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.IsolationLevel;
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
    /** Reads of all the partitions so far; for tests. */
    private final AtomicInteger attempts = new AtomicInteger();

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
                .setRecords(data.fetchRecords());
        }
    }

    CompletableFuture<List<Reading>> run() {
        attempt();
        return result;
    }

    /** How many times the partitions were read. */
    int attempts() {
        return attempts.get();
    }

    private void attempt() {
        attempts.incrementAndGet();
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
                waitForData(readings);
            }
        });
    }

    private CompletableFuture<List<Reading>> readAll() {
        return partitionLimitsFitResponse() ? readConcurrently() : readInOrder();
    }

    /**
     * Whether the partitions' max bytes add up to no more than the response's: then no
     * partition's read depends on how much the ones before it returned, and they can all run
     * at once (a consumer's defaults, 1 MiB a partition and 50 MiB a response, fit up to 50).
     */
    private boolean partitionLimitsFitResponse() {
        long sum = 0;
        for (Target target : targets) {
            if (target.log() != null) {
                sum += Math.max(0, target.request().maxBytes);
            }
        }
        return sum <= request.maxBytes();
    }

    /**
     * Reads every partition at once, so that the reads that go to the object store wait for it
     * together rather than one after another; then keeps, in order, what {@link #readInOrder}
     * would have returned. Each partition was read with its own max bytes and at least one
     * batch; a reading within what the partitions before it left is the same as the in-order
     * one, and any other (one batch bigger than that, which only the first partition with data
     * may keep: KIP-74) is read again as the in-order read would have been.
     */
    private CompletableFuture<List<Reading>> readConcurrently() {
        List<CompletableFuture<Reading>> reads = new ArrayList<>(targets.size());
        for (Target target : targets) {
            reads.add(target.log() == null ? CompletableFuture.completedFuture(new Reading(null, target.error()))
                : read(target, target.request().maxBytes, true));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            List<Reading> readings = new ArrayList<>(targets.size());
            CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
            for (int i = 0; i < targets.size(); i++) {
                Target target = targets.get(i);
                Reading reading = reads.get(i).join();
                chain = chain.thenCompose(usedBytes -> {
                    int maxBytes = maxBytes(target, usedBytes);
                    CompletableFuture<Reading> kept = reading.error() == Errors.NONE && usedBytes > 0
                        && reading.data().sizeInBytes() > maxBytes
                        ? read(target, maxBytes, false)
                        : CompletableFuture.completedFuture(reading);
                    return kept.thenApply(read -> add(readings, read, usedBytes));
                });
            }
            return chain.thenApply(done -> readings);
        });
    }

    /** Reads the partitions in order, each within what is left of the response's max bytes. */
    private CompletableFuture<List<Reading>> readInOrder() {
        List<Reading> readings = new ArrayList<>();
        CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
        for (Target target : targets) {
            chain = chain.thenCompose(usedBytes -> {
                if (target.log() == null) {
                    readings.add(new Reading(null, target.error()));
                    return CompletableFuture.completedFuture(usedBytes);
                }
                // KIP-74: the first partition with data returns at least one batch, however big.
                return read(target, maxBytes(target, usedBytes), usedBytes == 0)
                    .thenApply(reading -> add(readings, reading, usedBytes));
            });
        }
        return chain.thenApply(ignored -> readings);
    }

    /** What a partition may return after the partitions before it returned {@code usedBytes}. */
    private int maxBytes(Target target, int usedBytes) {
        return Math.min(target.request().maxBytes, Math.max(0, request.maxBytes() - usedBytes));
    }

    /** Adds a reading; returns the bytes used with it. */
    private static int add(List<Reading> readings, Reading reading, int usedBytes) {
        readings.add(reading);
        return reading.error() == Errors.NONE ? usedBytes + reading.data().sizeInBytes() : usedBytes;
    }

    /** One partition's read; a failure becomes the partition's error. */
    private CompletableFuture<Reading> read(Target target, int maxBytes, boolean minOneBatch) {
        return target.log().read(target.request().fetchOffset, maxBytes, minOneBatch, request.isolationLevel())
            .handle((data, error) -> error != null
                ? new Reading(null, Errors.forException(Failures.cause(error)))
                : new Reading(data, Errors.NONE));
    }

    /** Waits for an append after {@code readings}, one per target, or for the deadline. */
    private void waitForData(List<Reading> readings) {
        Wakeup wakeup = new Wakeup(this::attempt);
        for (Target target : targets) {
            if (target.log() != null) {
                wakeup.register(target.log().onNextAppend(wakeup::fire));
            }
        }
        long delayNanos = Math.max(0, deadlineNanos - System.nanoTime());
        ScheduledFuture<?> timeout = timer.schedule(wakeup::fire, delayNanos, TimeUnit.NANOSECONDS);
        wakeup.register(() -> timeout.cancel(false));
        // An append that landed between the read and the registration must not be missed. Data
        // the read already saw is no reason to read again: fewer than min.bytes of it are ready.
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            if (target.log() != null
                && target.log().readableEnd(request.isolationLevel()) > readableEnd(readings.get(i))) {
                wakeup.fire();
                return;
            }
        }
    }

    /** The end of what a partition's read could return: its high watermark, or last stable offset. */
    private long readableEnd(Reading reading) {
        return request.isolationLevel() == IsolationLevel.READ_COMMITTED
            ? reading.data().lastStableOffset() : reading.data().highWatermark();
    }

    /**
     * One wait between attempts: runs its action once, on the first append or the timer,
     * and forgets every registration it holds then. It may fire on an appending thread while
     * the waiting thread is still registering; a registration made after that is closed at
     * once. Any thread may call it.
     */
    static final class Wakeup {
        private final Runnable action;
        private final List<AutoCloseable> registrations = new ArrayList<>();
        private boolean fired;

        Wakeup(Runnable action) {
            this.action = action;
        }

        void register(AutoCloseable registration) {
            synchronized (this) {
                if (!fired) {
                    registrations.add(registration);
                    return;
                }
            }
            closeQuietly(registration);
        }

        void fire() {
            List<AutoCloseable> held;
            synchronized (this) {
                if (fired) {
                    return;
                }
                fired = true;
                held = List.copyOf(registrations);
                registrations.clear();
            }
            // Outside the lock: the action reads the partitions again and may complete the fetch.
            held.forEach(LongPoll::closeQuietly);
            action.run();
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
