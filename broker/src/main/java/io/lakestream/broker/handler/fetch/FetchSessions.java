package io.lakestream.broker.handler.fetch;

import com.yammer.metrics.core.Metric;
import com.yammer.metrics.core.MetricName;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.FetchManager;
import org.apache.kafka.server.FetchSession.FetchSessionCache;
import org.apache.kafka.server.FetchSessionCacheShard;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;

/**
 * The broker's incremental fetch sessions (KIP-227), kept by Kafka's own {@link FetchManager}:
 * a consumer that fetches the same partitions again names only those whose position moved,
 * and hears back only about those with records or news. A consumer of many partitions then
 * sends and receives a few bytes per fetch instead of a line per partition.
 *
 * <p>Laid out as a Kafka broker lays it out: eight shards sharing
 * {@code max.incremental.fetch.session.cache.slots}, and a session idle for two minutes may be
 * evicted to make room for a new one.
 */
public final class FetchSessions {
    static final int SHARDS = 8;
    /** Kafka's {@code KafkaBroker.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS}. */
    static final long MIN_EVICTION_MS = 120_000;

    private FetchSessions() {}

    /**
     * A session manager for {@code slots} sessions in all, its sizes exported to
     * {@code registry} as {@code lakestream.broker.fetch.sessions} and
     * {@code lakestream.broker.fetch.session.partitions}.
     */
    public static FetchManager create(int slots, MeterRegistry registry) {
        List<FetchSessionCacheShard> shards = new ArrayList<>(SHARDS);
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(new FetchSessionCacheShard(slots / SHARDS, MIN_EVICTION_MS, Integer.MAX_VALUE / SHARDS, shard));
        }
        FetchManager sessions = new FetchManager(Time.SYSTEM, new FetchSessionCache(shards));
        // The cache counts its sessions only in gauges of Kafka's Yammer registry, registered by its
        // constructor; they read the first cache a JVM made, which is this one in a broker process.
        export(registry, "lakestream.broker.fetch.sessions", "NumIncrementalFetchSessions",
            "Incremental fetch sessions cached");
        export(registry, "lakestream.broker.fetch.session.partitions", "NumIncrementalFetchPartitionsCached",
            "Partitions held by the cached fetch sessions");
        return sessions;
    }

    private static void export(MeterRegistry registry, String name, String kafkaName, String description) {
        for (Map.Entry<MetricName, Metric> metric : KafkaYammerMetrics.defaultRegistry().allMetrics().entrySet()) {
            MetricName key = metric.getKey();
            if (key.getType().equals("FetchSessionCache") && key.getName().equals(kafkaName)
                && metric.getValue() instanceof com.yammer.metrics.core.Gauge<?> gauge) {
                Gauge.builder(name, gauge, g -> ((Number) g.value()).doubleValue())
                    .description(description)
                    .register(registry);
                return;
            }
        }
    }
}
