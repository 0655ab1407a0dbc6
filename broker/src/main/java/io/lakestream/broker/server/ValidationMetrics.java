package io.lakestream.broker.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.storage.internals.log.LogValidator;

/** Counts the record batches Kafka's {@link LogValidator} rejects, by reason: {@code lakestream.broker.invalid.batches}. */
final class ValidationMetrics implements LogValidator.MetricsRecorder {
    private final Counter magic;
    private final Counter offset;
    private final Counter sequence;
    private final Counter checksum;
    private final Counter noKey;

    ValidationMetrics(MeterRegistry registry) {
        this.magic = counter(registry, "magic");
        this.offset = counter(registry, "offset");
        this.sequence = counter(registry, "sequence");
        this.checksum = counter(registry, "checksum");
        this.noKey = counter(registry, "no_key_compacted");
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("lakestream.broker.invalid.batches").tag("reason", reason).register(registry);
    }

    @Override
    public void recordInvalidMagic() {
        magic.increment();
    }

    @Override
    public void recordInvalidOffset() {
        offset.increment();
    }

    @Override
    public void recordInvalidSequence() {
        sequence.increment();
    }

    @Override
    public void recordInvalidChecksums() {
        checksum.increment();
    }

    @Override
    public void recordNoKeyCompactedTopic() {
        noKey.increment();
    }
}
