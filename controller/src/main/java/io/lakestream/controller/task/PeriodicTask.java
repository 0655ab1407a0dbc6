package io.lakestream.controller.task;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one task on its own daemon thread, again {@code delayMillis} after each run ends, until
 * closed. The task must catch its own exceptions: one that escapes cancels the later runs, as
 * with any {@link ScheduledExecutorService}. Thread-safe.
 */
public final class PeriodicTask implements AutoCloseable {
    private final ScheduledExecutorService executor;

    private PeriodicTask(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Starts {@code task} after {@code initialDelayMillis} on a thread named {@code threadName}. */
    public static PeriodicTask start(String threadName, long initialDelayMillis, long delayMillis, Runnable task) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(task, initialDelayMillis, delayMillis, TimeUnit.MILLISECONDS);
        return new PeriodicTask(executor);
    }

    /** Interrupts a run in progress and waits briefly for it to end. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
