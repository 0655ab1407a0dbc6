package io.lakestream.stream.storage;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Micrometer meters for S3 requests:
 * <ul>
 *   <li>{@value #REQUEST_TIMER} (timer), tags {@code kind} and {@code outcome}
 *       ({@code success} or {@code error}): latency of each call, SDK retries included;</li>
 *   <li>{@value #REQUEST_BYTES} (distribution summary, base unit bytes), tag {@code kind}:
 *       object bytes written or read by successful put, get and multipart calls.</li>
 * </ul>
 * A multipart upload counts once, as {@code kind=multipart}, for the whole object.
 *
 * <p>Thread-safe: meters are created up front and Micrometer meters are thread-safe.
 */
final class S3RequestMetrics {
    static final String REQUEST_TIMER = "lakestream.s3.request";
    static final String REQUEST_BYTES = "lakestream.s3.request.bytes";

    /** The request kinds, named in the {@code kind} tag. */
    enum Kind {
        PUT(true), GET(true), LIST(false), DELETE(false), MULTIPART(true);

        /** Whether requests of this kind carry object bytes worth summarizing. */
        final boolean hasPayload;

        Kind(boolean hasPayload) {
            this.hasPayload = hasPayload;
        }

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Kind, Timer> successTimers = new EnumMap<>(Kind.class);
    private final Map<Kind, Timer> errorTimers = new EnumMap<>(Kind.class);
    private final Map<Kind, DistributionSummary> bytes = new EnumMap<>(Kind.class);

    S3RequestMetrics(MeterRegistry registry) {
        for (Kind kind : Kind.values()) {
            successTimers.put(kind, timer(registry, kind, "success"));
            errorTimers.put(kind, timer(registry, kind, "error"));
            if (!kind.hasPayload) {
                continue;
            }
            bytes.put(kind, DistributionSummary.builder(REQUEST_BYTES)
                    .description("Payload bytes of successful S3 requests")
                    .baseUnit("bytes")
                    .tag("kind", kind.tag())
                    .register(registry));
        }
    }

    private static Timer timer(MeterRegistry registry, Kind kind, String outcome) {
        return Timer.builder(REQUEST_TIMER)
                .description("Latency of S3 requests, retries included")
                .tag("kind", kind.tag())
                .tag("outcome", outcome)
                .register(registry);
    }

    /**
     * Starts {@code call} and times it until it completes; on success also records the
     * payload size that {@code payloadBytes} reads from its result ({@code null} for kinds
     * without a payload). Returns the call's future.
     */
    <T> CompletableFuture<T> record(Kind kind, Supplier<CompletableFuture<T>> call,
                                    ToLongFunction<T> payloadBytes) {
        long startNanos = System.nanoTime();
        CompletableFuture<T> future = call.get();
        future.whenComplete((result, error) -> {
            long elapsed = System.nanoTime() - startNanos;
            if (error == null) {
                successTimers.get(kind).record(elapsed, TimeUnit.NANOSECONDS);
                if (payloadBytes != null) {
                    bytes.get(kind).record(payloadBytes.applyAsLong(result));
                }
            } else {
                errorTimers.get(kind).record(elapsed, TimeUnit.NANOSECONDS);
            }
        });
        return future;
    }
}
