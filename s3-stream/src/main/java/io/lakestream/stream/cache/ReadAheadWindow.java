package io.lakestream.stream.cache;

/**
 * The read-ahead state of one stream: where the next sequential read would start, how much
 * to fetch ahead next, and the last window fetched ahead. Windows grow up to a limit that
 * each read passes in, since it depends on how much the reader reads at a time. Thread-safe
 * (synchronized); reads of one stream normally come one at a time, so the lock is uncontended.
 */
final class ReadAheadWindow {
    private final int initialBytes;
    private long expectedOffset = -1;
    private int windowBytes;
    /** The offsets of the last window fetched ahead, {@code [aheadStart, aheadEnd)}; -1 if none. */
    private long aheadStart = -1;
    private long aheadEnd = -1;
    private boolean fetchingAhead;

    ReadAheadWindow(int initialBytes) {
        this.initialBytes = initialBytes;
        this.windowBytes = initialBytes;
    }

    /** Records the start of a read; returns whether it continues the previous one. A jump resets the window. */
    synchronized boolean startRead(long startOffset) {
        boolean sequential = startOffset == expectedOffset;
        if (!sequential) {
            windowBytes = initialBytes;
            aheadStart = -1;
            aheadEnd = -1;
        }
        return sequential;
    }

    /** Records where a read ended: the offset a sequential read would start at next. */
    synchronized void endRead(long nextOffset) {
        expectedOffset = nextOffset;
    }

    /**
     * Starts a read-ahead after a sequential miss, unless one is under way: returns the bytes to
     * fetch ahead, or 0 for none. The window is at least {@code minBytes} and at most
     * {@code maxBytes}; the next one is twice as large.
     */
    synchronized int onSequentialMiss(int minBytes, int maxBytes) {
        if (fetchingAhead) {
            return 0;
        }
        fetchingAhead = true;
        return grow(minBytes, maxBytes);
    }

    private int grow(int minBytes, int maxBytes) {
        int bytes = Math.min(Math.max(windowBytes, minBytes), maxBytes);
        windowBytes = (int) Math.min(maxBytes, 2L * bytes);
        return bytes;
    }

    /**
     * The next window to fetch ahead once a sequential read has ended at {@code readEnd}, or
     * null for not now: the reader has entered the last window fetched ahead, so the next one is
     * fetched while it reads this one, and a reader that keeps up never waits for the object
     * store. Windows grow as they do on misses.
     */
    synchronized Ahead continueFrom(long readEnd, int minBytes, int maxBytes) {
        if (fetchingAhead || aheadEnd < 0 || readEnd < aheadStart) {
            return null;
        }
        fetchingAhead = true;
        return new Ahead(Math.max(readEnd, aheadEnd), grow(minBytes, maxBytes));
    }

    /** A window to fetch ahead: {@code bytes} from {@code fromOffset}. */
    record Ahead(long fromOffset, int bytes) {}

    /** Records a read-ahead that was started: it covered {@code [start, end)}, nothing if {@code end <= start}. */
    synchronized void fetchedAhead(long start, long end) {
        fetchingAhead = false;
        if (end > start) {
            aheadStart = start;
            aheadEnd = end;
        } else {
            aheadStart = -1;
            aheadEnd = -1;
        }
    }

    synchronized int windowBytes() {
        return windowBytes;
    }
}
