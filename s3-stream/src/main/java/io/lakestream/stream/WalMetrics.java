package io.lakestream.stream;

import io.lakestream.wal.WalListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Binds a write-ahead log's events to Micrometer meters. Called on the log's writer thread,
 * so it only records.
 */
public final class WalMetrics implements WalListener {
    private final Timer appendLatency;
    private final Counter appendBytes;
    private final Timer fsyncLatency;
    private final DistributionSummary recordsPerFsync;
    private final AtomicLong usedBytes = new AtomicLong();

    public WalMetrics(MeterRegistry registry) {
        this.appendLatency = Timer.builder("lakestream.wal.append.latency")
            .description("From a WAL append to the record being durable")
            .publishPercentiles(0.5, 0.99, 0.999)
            .register(registry);
        this.appendBytes = Counter.builder("lakestream.wal.append.bytes").baseUnit("bytes").register(registry);
        this.fsyncLatency = Timer.builder("lakestream.wal.fsync.latency")
            .description("Writing and fsyncing one group commit")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
        this.recordsPerFsync = DistributionSummary.builder("lakestream.wal.fsync.records")
            .description("Records made durable by one fsync")
            .register(registry);
        Gauge.builder("lakestream.wal.used", usedBytes, AtomicLong::get).baseUnit("bytes").register(registry);
    }

    @Override
    public void onAppend(int payloadBytes, long latencyNanos) {
        appendLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
        appendBytes.increment(payloadBytes);
    }

    @Override
    public void onFsync(long nanos, int records, long bytes) {
        fsyncLatency.record(nanos, TimeUnit.NANOSECONDS);
        recordsPerFsync.record(records);
    }

    @Override
    public void onTrim(long trimPosition, long usedBytes) {
        this.usedBytes.set(usedBytes);
    }
}
