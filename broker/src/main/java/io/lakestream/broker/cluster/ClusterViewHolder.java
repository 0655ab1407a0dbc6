package io.lakestream.broker.cluster;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Holds the latest {@link ClusterView} and lets callers wait for one that satisfies a
 * condition, such as an admin request waiting until the topic it created has leaders.
 *
 * <p>Thread-safe: {@link #publish} is called by the metadata follower's thread, everything else
 * from any thread.
 */
public final class ClusterViewHolder {
    private final ScheduledExecutorService timer;
    private final Map<CompletableFuture<ClusterView>, Predicate<ClusterView>> waiters = new ConcurrentHashMap<>();
    private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterView current;

    public ClusterViewHolder(ClusterView initial, ScheduledExecutorService timer) {
        this.current = initial;
        this.timer = timer;
    }

    public ClusterView current() {
        return current;
    }

    /** Runs {@code listener} with each view published from now on, on the publishing thread. */
    public void addListener(Consumer<ClusterView> listener) {
        listeners.add(listener);
    }

    public void publish(ClusterView view) {
        current = view;
        listeners.forEach(listener -> listener.accept(view));
        Iterator<Map.Entry<CompletableFuture<ClusterView>, Predicate<ClusterView>>> it = waiters.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<CompletableFuture<ClusterView>, Predicate<ClusterView>> waiter = it.next();
            if (waiter.getValue().test(view)) {
                it.remove();
                waiter.getKey().complete(view);
            }
        }
    }

    /**
     * The first view that satisfies {@code condition}, or the latest view once
     * {@code timeoutMillis} have passed without one (the caller decides what that means).
     */
    public CompletableFuture<ClusterView> await(Predicate<ClusterView> condition, long timeoutMillis) {
        ClusterView view = current;
        if (condition.test(view)) {
            return CompletableFuture.completedFuture(view);
        }
        CompletableFuture<ClusterView> future = new CompletableFuture<>();
        waiters.put(future, condition);
        if (condition.test(current) && waiters.remove(future) != null) {
            future.complete(current);
        }
        timer.schedule(() -> {
            if (waiters.remove(future) != null) {
                future.complete(current);
            }
        }, Math.max(0, timeoutMillis), TimeUnit.MILLISECONDS);
        return future;
    }
}
