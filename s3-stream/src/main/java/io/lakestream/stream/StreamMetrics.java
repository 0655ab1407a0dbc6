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
    final Timer fetchFromObjectsLatency;

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
        this.fetchFromObjectsLatency = Timer.builder("lakestream.stream.fetch.objects.latency")
            .description("From a stream fetch that the log cache could not serve to its batches read from objects")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    }
}
