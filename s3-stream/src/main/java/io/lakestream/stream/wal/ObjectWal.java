package io.lakestream.stream.wal;

import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.wal.WalException;
import io.lakestream.wal.WriteAheadLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WriteAheadLog} whose records live in an {@link ObjectStorage} (S3), for brokers
 * with no local disk; any broker can recover it.
 *
 * <p><b>Group commit.</b> Each object holds the records appended while the previous PUTs
 * were in flight: an append starts a PUT at once if fewer than
 * {@link ObjectWalConfig#maxInFlightPuts()} are running, and otherwise joins the next
 * group, which goes up as soon as a slot frees. There is no timer; under load the PUT rate
 * is bounded by the slots and the objects grow, up to {@link ObjectWalConfig#maxObjectBytes()}.
 * An append's future completes when its object is stored and every object before it is too,
 * so futures complete in position order.
 *
 * <p><b>Objects.</b> Each object is named by the position of its first record under the
 * configured prefix ({@link WalObjectKeys}), so key order is position order; the byte
 * layout of objects and of the trim marker, with its constants, is in
 * {@link WalObjectFormat}. Records are framed with their length and a CRC32C.
 *
 * <p><b>Failure.</b> If a PUT fails, the log fails: that group's appends and every later one
 * complete with a {@link WalException}, because a later object without the failed one would
 * sit behind a gap that recovery does not cross. Reopen and {@link #recover()} to continue.
 *
 * <p><b>Trim.</b> {@link #trim} first stores the new trim point in a small marker object,
 * then deletes the objects that lie entirely below it. Recovery starts from the marker, so
 * records below it stay hidden even if a delete failed; a failed delete is retried by the
 * next trim or recovery.
 *
 * <p><b>Recovery</b> is described in {@link ObjectWalRecovery}: replay from the trim point
 * up to the first gap between objects or the first damaged record (bad header, length or
 * CRC). Intact records of a damaged object before the damage are kept; the damaged record
 * and everything after it are not, and are deleted so that new appends, which start there,
 * are never followed by stale data.
 *
 * <p>Thread-safe: any thread may append and trim; state is guarded by one lock, held only
 * to assign positions and move groups between queues, never across I/O or while completing
 * futures. Futures complete on the storage's threads. The storage is not closed by
 * {@link #close()}; its owner closes it.
 */
public final class ObjectWal implements WriteAheadLog {
    private static final Logger log = LoggerFactory.getLogger(ObjectWal.class);

    private enum State { NEW, OPEN, CLOSING, CLOSED, FAILED }

    private final ObjectStorage storage;
    private final ObjectWalConfig config;
    private final WalObjectKeys keys;
    private final Object lock = new Object();

    // Guarded by lock.
    private State state = State.NEW;
    private long nextPosition;
    /** Groups not yet sent; only the last one takes new appends. */
    private final ArrayDeque<Group> unsent = new ArrayDeque<>();
    /** Groups being stored, in position order; completed from the head only. */
    private final ArrayDeque<Group> inFlight = new ArrayDeque<>();
    /** Groups whose futures are due, in position order, for the one thread that completes them. */
    private final ArrayDeque<Group> toComplete = new ArrayDeque<>();
    private boolean completing;
    /** Start position of the first group whose PUT failed; later groups fail too. */
    private long failedFrom = Long.MAX_VALUE;
    private Throwable failure;
    /** Start to end position of each stored object not yet deleted. */
    private final NavigableMap<Long, Long> liveObjects = new TreeMap<>();
    private long requestedTrimPoint;
    private long durableTrimPoint;
    private CompletableFuture<Void> trims = CompletableFuture.completedFuture(null);

    public ObjectWal(ObjectStorage storage, ObjectWalConfig config) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.config = Objects.requireNonNull(config, "config");
        this.keys = new WalObjectKeys(config.prefix());
    }

    /**
     * Replays the log as {@link ObjectWalRecovery} describes. Blocks on the object store; the
     * returned records are in memory (the log holds only what is not yet uploaded elsewhere).
     */
    @Override
    public Iterator<WalRecord> recover() throws IOException {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("WAL " + keys.prefix() + ": recover() may be called once, before appending");
            }
        }
        ObjectWalRecovery.RecoveredLog recovered = new ObjectWalRecovery(storage, keys).recover();
        synchronized (lock) {
            nextPosition = recovered.nextPosition();
            requestedTrimPoint = recovered.trimPoint();
            durableTrimPoint = recovered.trimPoint();
            liveObjects.putAll(recovered.liveObjects());
            state = State.OPEN;
        }
        return recovered.records().iterator();
    }

    @Override
    public CompletableFuture<AppendResult> append(ByteBuffer record) {
        CompletableFuture<AppendResult> result = new CompletableFuture<>();
        int frameSize = WalObjectFormat.frameSize(record.remaining());
        List<Group> ready;
        synchronized (lock) {
            if (state != State.OPEN) {
                return CompletableFuture.failedFuture(notAccepting());
            }
            Group group = unsent.peekLast();
            if (group == null || group.bytes + frameSize > config.maxObjectBytes()) {
                group = new Group(nextPosition);
                unsent.addLast(group);
            }
            long position = nextPosition;
            nextPosition += frameSize;
            group.add(record.duplicate(), new Pending(result, new AppendResult(position, nextPosition)), frameSize);
            ready = takeSendableGroups();
        }
        ready.forEach(this::store);
        return result;
    }

    /** Moves groups from unsent to in flight while slots are free. Caller holds the lock. */
    private List<Group> takeSendableGroups() {
        List<Group> ready = new ArrayList<>(1);
        while (!unsent.isEmpty() && inFlight.size() < config.maxInFlightPuts()) {
            Group group = unsent.pollFirst();
            inFlight.addLast(group);
            ready.add(group);
        }
        return ready;
    }

    private void store(Group group) {
        CompletableFuture<Void> write;
        try {
            write = storage.write(keys.objectKey(group.start), WalObjectFormat.encodeObject(group.start, group.payloads));
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e); // a closed storage may throw instead
        }
        write.whenComplete((v, error) -> onStored(group, error));
    }

    private void onStored(Group group, Throwable error) {
        List<Group> ready;
        synchronized (lock) {
            group.stored = true;
            if (error != null && group.start < failedFrom) {
                failedFrom = group.start;
                failure = error;
                if (state == State.OPEN || state == State.CLOSING) {
                    state = State.FAILED;
                }
                // Every append's future carries the exception; one line here is enough.
                log.error("WAL {}: storing the object at position {} failed, the log stops accepting appends: {}",
                        keys.prefix(), group.start, error.getMessage());
            }
            while (!inFlight.isEmpty() && inFlight.peekFirst().stored) {
                Group head = inFlight.pollFirst();
                if (head.start < failedFrom) {
                    liveObjects.put(head.start, head.end());
                } else {
                    head.failure = failureFor(head);
                }
                toComplete.addLast(head);
            }
            if (failure != null) {
                // Never stored: they would sit behind the failed object's gap.
                for (Group never : unsent) {
                    never.failure = failureFor(never);
                    toComplete.addLast(never);
                }
                unsent.clear();
            }
            ready = takeSendableGroups();
        }
        completeDueGroups();
        ready.forEach(this::store);
    }

    /**
     * Completes the due groups' futures outside the lock. One thread at a time does it, taking
     * groups in order, so futures complete in position order even when PUTs finish on
     * different threads; a thread that finds another one completing leaves its groups to it.
     */
    private void completeDueGroups() {
        while (true) {
            Group group;
            synchronized (lock) {
                if (completing) {
                    return;
                }
                group = toComplete.pollFirst();
                if (group == null) {
                    lock.notifyAll(); // close() may be waiting for the queues to drain
                    return;
                }
                completing = true;
            }
            try {
                group.complete();
            } finally {
                synchronized (lock) {
                    completing = false;
                }
            }
        }
    }

    /** Why {@code group}'s appends failed: an earlier or its own object was not stored. Caller holds the lock. */
    private WalException failureFor(Group group) {
        return new WalException("WAL " + keys.prefix() + ": records at positions [" + group.start + ", "
                + group.end() + ") are not durable: storing the object at position " + failedFrom
                + " failed", failure);
    }

    private WalException notAccepting() {
        return switch (state) {
            case NEW -> new WalException("WAL " + keys.prefix() + ": append before recover()");
            case FAILED -> new WalException("WAL " + keys.prefix() + ": failed at position " + failedFrom
                    + "; reopen and recover to continue", failure);
            default -> new WalException("WAL " + keys.prefix() + " is closed");
        };
    }

    /**
     * Stores the new trim point, then deletes objects below it. Concurrent trims are applied
     * one after another, and a trim whose point a later one already stored writes nothing.
     * Trimming past the last appended position is an error: later records would be hidden.
     */
    @Override
    public CompletableFuture<Void> trim(long position) {
        synchronized (lock) {
            if (state == State.NEW) {
                return CompletableFuture.failedFuture(notAccepting());
            }
            if (position > nextPosition) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("WAL " + keys.prefix()
                        + ": cannot trim to " + position + ", past the end of the log at " + nextPosition));
            }
            if (position > requestedTrimPoint) {
                requestedTrimPoint = position;
                trims = trims.handle((v, e) -> null).thenCompose(v -> storeTrimPointAndDelete());
            }
            // A backward or repeated trim completes with the trim that covers it.
            return trims;
        }
    }

    private CompletableFuture<Void> storeTrimPointAndDelete() {
        long point;
        synchronized (lock) {
            point = requestedTrimPoint;
            if (point <= durableTrimPoint) {
                return CompletableFuture.completedFuture(null);
            }
        }
        return storage.write(keys.trimMarkerKey(), WalObjectFormat.encodeTrimMarker(point))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(new WalException(
                        "WAL " + keys.prefix() + ": could not store trim point " + point, e)))
                .thenCompose(v -> deleteObjectsBelow(point));
    }

    private CompletableFuture<Void> deleteObjectsBelow(long point) {
        List<Long> starts = new ArrayList<>();
        synchronized (lock) {
            durableTrimPoint = Math.max(durableTrimPoint, point);
            for (Map.Entry<Long, Long> object : liveObjects.entrySet()) {
                if (object.getValue() > point) {
                    break; // objects are contiguous: later ones end later
                }
                starts.add(object.getKey());
            }
        }
        if (starts.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return storage.delete(starts.stream().map(keys::objectKey).toList()).handle((v, error) -> {
            if (error != null) {
                // The trim point is durable, so recovery skips them; the next trim retries.
                log.warn("WAL {}: could not delete {} objects below trim point {}: {}",
                        keys.prefix(), starts.size(), point, error.getMessage());
            } else {
                synchronized (lock) {
                    starts.forEach(liveObjects::remove);
                }
            }
            return null;
        });
    }

    /** Waits for pending appends and trims (bounded by the storage's own timeouts), then rejects new ones. */
    @Override
    public void close() throws IOException {
        CompletableFuture<Void> pendingTrims;
        synchronized (lock) {
            if (state == State.OPEN) {
                state = State.CLOSING;
            }
            try {
                while (!unsent.isEmpty() || !inFlight.isEmpty() || !toComplete.isEmpty() || completing) {
                    lock.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("WAL " + keys.prefix() + ": interrupted while closing", e);
            }
            if (state != State.FAILED) {
                state = State.CLOSED;
            }
            pendingTrims = trims;
        }
        try {
            pendingTrims.handle((v, e) -> null).get();
        } catch (Exception e) {
            Thread.currentThread().interrupt();
            throw new IOException("WAL " + keys.prefix() + ": interrupted while waiting for trims", e);
        }
    }

    /** An append's future and the result it completes with. */
    private record Pending(CompletableFuture<AppendResult> future, AppendResult result) {}

    /** The records of one object. Mutated under the lock until sent, read-only after. */
    private static final class Group {
        final long start;
        final List<ByteBuffer> payloads = new ArrayList<>();
        final List<Pending> pending = new ArrayList<>();
        int bytes;
        boolean stored;
        /** Set when the group is due: null if its records are durable. */
        WalException failure;

        Group(long start) {
            this.start = start;
        }

        void add(ByteBuffer payload, Pending append, int frameSize) {
            payloads.add(payload);
            pending.add(append);
            bytes += frameSize;
        }

        long end() {
            return start + bytes;
        }

        void complete() {
            for (Pending append : pending) {
                if (failure == null) {
                    append.future().complete(append.result());
                } else {
                    append.future().completeExceptionally(failure);
                }
            }
        }
    }
}
