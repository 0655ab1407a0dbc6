package io.lakestream.stream.cache;

/**
 * The read-ahead state of one stream: where the next sequential read would start, and how
 * much to fetch ahead on the next sequential cache miss. Thread-safe (synchronized); reads
 * of one stream normally come one at a time, so the lock is uncontended.
 */
final class ReadAheadWindow {
    private final ReadAheadConfig config;
    private long expectedOffset = -1;
    private int windowBytes;

    ReadAheadWindow(ReadAheadConfig config) {
        this.config = config;
        this.windowBytes = config.initialBytes();
    }

    /** Records the start of a read; returns whether it continues the previous one. A jump resets the window. */
    synchronized boolean startRead(long startOffset) {
        boolean sequential = startOffset == expectedOffset;
        if (!sequential) {
            windowBytes = config.initialBytes();
        }
        return sequential;
    }

    /** Records where a read ended: the offset a sequential read would start at next. */
    synchronized void endRead(long nextOffset) {
        expectedOffset = nextOffset;
    }

    /** The bytes to fetch ahead for a sequential miss now; the next one fetches twice as much, up to the maximum. */
    synchronized int onSequentialMiss() {
        int bytes = windowBytes;
        windowBytes = (int) Math.min(config.maxBytes(), 2L * windowBytes);
        return bytes;
    }

    synchronized int windowBytes() {
        return windowBytes;
    }
}
