package io.lakestream.broker.handler.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link LongPoll.Wakeup}: the wait a long-polling fetch registers on its partitions and a timer. */
class LongPollWakeupTest {
    /** A registration that counts how often it was closed. */
    private static final class Registration implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void firesItsActionOnceAndClosesWhatItHolds() {
        AtomicInteger runs = new AtomicInteger();
        LongPoll.Wakeup wakeup = new LongPoll.Wakeup(runs::incrementAndGet);
        Registration append = new Registration();
        Registration timer = new Registration();
        wakeup.register(append);
        wakeup.register(timer);

        wakeup.fire();
        wakeup.fire();

        assertThat(runs).hasValue(1);
        assertThat(append.closes).hasValue(1);
        assertThat(timer.closes).hasValue(1);
    }

    @Test
    void aRegistrationMadeAfterItFiredIsClosedAtOnce() {
        LongPoll.Wakeup wakeup = new LongPoll.Wakeup(() -> { });
        wakeup.fire();
        Registration late = new Registration();

        wakeup.register(late);

        assertThat(late.closes).hasValue(1);
    }

    /**
     * An append on another thread fires the wait while the fetch is still registering on its
     * other partitions: every registration is closed exactly once and the action runs once.
     */
    @Test
    void firingWhileAnotherThreadRegistersClosesEveryRegistrationOnce() throws Exception {
        ExecutorService appender = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 2_000; round++) {
                AtomicInteger runs = new AtomicInteger();
                LongPoll.Wakeup wakeup = new LongPoll.Wakeup(runs::incrementAndGet);
                List<Registration> registrations = new ArrayList<>();
                CountDownLatch registering = new CountDownLatch(1);
                Future<?> append = appender.submit(() -> {
                    registering.await();
                    wakeup.fire();
                    return null;
                });
                for (int i = 0; i < 64; i++) {
                    Registration registration = new Registration();
                    registrations.add(registration);
                    wakeup.register(registration);
                    if (i == 0) {
                        registering.countDown();
                    }
                }
                append.get(10, TimeUnit.SECONDS);

                assertThat(runs).hasValue(1);
                assertThat(registrations).allSatisfy(registration -> assertThat(registration.closes).hasValue(1));
            }
        } finally {
            appender.shutdownNow();
        }
    }
}
