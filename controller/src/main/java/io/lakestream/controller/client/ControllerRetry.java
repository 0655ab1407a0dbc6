package io.lakestream.controller.client;

import java.time.Duration;
import org.apache.ratis.retry.ExponentialBackoffRetry;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/**
 * The one retry policy of controller calls: exponential backoff across leader changes and
 * unreachable voters. Ratis retries a request with the same client id and call id, so the
 * leader's retry cache answers a retried command that was already applied with its first
 * result instead of applying it again.
 */
public final class ControllerRetry {
    public static final Duration DEFAULT_BASE_SLEEP = Duration.ofMillis(50);
    public static final Duration DEFAULT_MAX_SLEEP = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_ATTEMPTS = 60;

    private ControllerRetry() {}

    public static RetryPolicy defaultPolicy() {
        return policy(DEFAULT_BASE_SLEEP, DEFAULT_MAX_SLEEP, DEFAULT_MAX_ATTEMPTS);
    }

    public static RetryPolicy policy(Duration baseSleep, Duration maxSleep, int maxAttempts) {
        return ExponentialBackoffRetry.newBuilder()
            .setBaseSleepTime(TimeDuration.valueOf(baseSleep.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
            .setMaxSleepTime(TimeDuration.valueOf(maxSleep.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
            .setMaxAttempts(maxAttempts)
            .build();
    }
}
