package io.lakestream.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The stream layer's meters, shared by every stream of a node. Thread-safe. */
final class StreamMetrics {
    final Timer appendLatency;
    final Counter appendBytes;
    final Counter fetchFromLogCache;
    final Counter fetchFromObjects;

    StreamMetrics(MeterRegistry registry) {
        this.appendLatency = Timer.builder("lakestream.stream.append.latency")
            .description("From a stream append to its acknowledgement (durable in the write-ahead log)")
            .publishPercentiles(0.5, 0.99, 0.999)
            .register(registry);
        this.appendBytes = Counter.builder("lakestream.stream.append.bytes").baseUnit("bytes").register(registry);
        this.fetchFromLogCache = Counter.builder("lakestream.stream.fetch").tag("source", "log_cache")
            .register(registry);
        this.fetchFromObjects = Counter.builder("lakestream.stream.fetch").tag("source", "objects")
            .register(registry);
    }
}
