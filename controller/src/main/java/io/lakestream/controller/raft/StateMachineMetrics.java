package io.lakestream.controller.raft;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * One voter's state machine meters, tagged {@code voter}. Thread-safe; {@link #close} removes
 * them from the registry so a restarted voter in the same process registers fresh ones.
 *
 * <pre>
 * lakestream.controller.apply.latency     timer   one command applied to RocksDB (decode, execute, commit)
 * lakestream.controller.snapshot.duration timer   one checkpoint taken as a Raft snapshot
 * lakestream.controller.leader.changes    counter leaders this voter has learnt of
 * lakestream.controller.applied.offset    gauge   the last log index applied (the metadata offset)
 * lakestream.controller.state.size        gauge   bytes, RocksDB's estimate of live data (tag kind=live)
 *                                                 and the size of its SST files (kind=sst)
 * </pre>
 */
final class StateMachineMetrics implements AutoCloseable {
    final Timer applyLatency;
    final Timer snapshotDuration;
    final Counter leaderChanges;
    private final MeterRegistry registry;
    private final List<Meter> meters;

    StateMachineMetrics(MeterRegistry registry, String voterId, DoubleSupplier appliedOffset,
                        DoubleSupplier liveDataBytes, DoubleSupplier sstFileBytes) {
        this.registry = registry;
        Tags tags = Tags.of("voter", voterId);
        this.applyLatency = Timer.builder("lakestream.controller.apply.latency")
            .description("Applying one committed command to the metadata state").tags(tags).register(registry);
        this.snapshotDuration = Timer.builder("lakestream.controller.snapshot.duration")
            .description("Taking one snapshot (a RocksDB checkpoint)").tags(tags).register(registry);
        this.leaderChanges = Counter.builder("lakestream.controller.leader.changes")
            .description("Leader changes this voter has learnt of").tags(tags).register(registry);
        Gauge applied = Gauge.builder("lakestream.controller.applied.offset", appliedOffset,
                DoubleSupplier::getAsDouble)
            .description("The log index of the last command applied").tags(tags).strongReference(true)
            .register(registry);
        Gauge live = Gauge.builder("lakestream.controller.state.size", liveDataBytes, DoubleSupplier::getAsDouble)
            .baseUnit("bytes")
            .description("RocksDB's estimate of the live metadata").tags(tags).tag("kind", "live")
            .strongReference(true).register(registry);
        Gauge sst = Gauge.builder("lakestream.controller.state.size", sstFileBytes, DoubleSupplier::getAsDouble)
            .baseUnit("bytes")
            .description("The metadata's RocksDB SST files").tags(tags).tag("kind", "sst")
            .strongReference(true).register(registry);
        this.meters = List.of(applyLatency, snapshotDuration, leaderChanges, applied, live, sst);
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
    }
}
