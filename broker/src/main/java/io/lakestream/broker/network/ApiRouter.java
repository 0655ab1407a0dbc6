package io.lakestream.broker.network;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Routes each request to the handler of its API and times it, from the frame's arrival to its
 * response ({@code lakestream.broker.request} by {@code api}). A request for an API this broker
 * does not implement gets UNSUPPORTED_VERSION in that API's own response shape; the connection
 * stays open. Thread-safe once built.
 */
public final class ApiRouter implements RequestHandler {
    private final Map<ApiKeys, RequestHandler> handlers;
    private final Map<ApiKeys, Timer> timers = new EnumMap<>(ApiKeys.class);

    public ApiRouter(Map<ApiKeys, RequestHandler> handlers, MeterRegistry registry) {
        this.handlers = Collections.unmodifiableMap(new EnumMap<>(handlers));
        for (ApiKeys key : handlers.keySet()) {
            timers.put(key, Timer.builder("lakestream.broker.request")
                .description("Time from a request's arrival to its response")
                .tag("api", key.name)
                .publishPercentiles(0.5, 0.99)
                .register(registry));
        }
    }

    public Set<ApiKeys> apis() {
        return handlers.keySet();
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        RequestHandler handler = handlers.get(request.apiKey());
        if (handler == null) {
            return CompletableFuture.completedFuture(request.body().getErrorResponse(new UnsupportedVersionException(
                "Lakestream does not implement " + request.apiKey().name + " yet")));
        }
        Timer timer = timers.get(request.apiKey());
        return handler.handle(request).whenComplete((response, error) ->
            timer.record(System.nanoTime() - request.receivedNanos(), TimeUnit.NANOSECONDS));
    }
}
