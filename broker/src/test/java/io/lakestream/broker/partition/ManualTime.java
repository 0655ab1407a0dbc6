package io.lakestream.broker.partition;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Time;

/** A clock that moves only when a test moves it. Thread-safe. */
final class ManualTime implements Time {
    private final AtomicLong millis;

    ManualTime(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    void advance(long deltaMillis) {
        millis.addAndGet(deltaMillis);
    }

    @Override
    public long milliseconds() {
        return millis.get();
    }

    @Override
    public long nanoseconds() {
        return millis.get() * 1_000_000;
    }

    @Override
    public void sleep(long ms) {
        advance(ms);
    }
}
