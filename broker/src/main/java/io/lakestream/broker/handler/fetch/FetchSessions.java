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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's incremental fetch sessions (KIP-227), kept by Kafka's own {@link FetchManager}:
 * a consumer that fetches the same partitions again names only those whose position moved,
 * and hears back only about those with records or news. A consumer of many partitions then
 * sends and receives a few bytes per fetch instead of a line per partition.
 *
 * <p>Laid out as a Kafka broker lays it out: eight shards sharing
 * {@code max.incremental.fetch.session.cache.slots} (fewer than eight slots leave every shard
 * empty, which turns sessions off, as in Kafka), and a session idle for two minutes may be
 * evicted to make room for a new one.
 *
 * <p>The manager is thread-safe: a request thread makes a fetch's context, and whichever
 * thread ends its long poll (an append, the timer, an object store thread) builds the
 * response with it, creating or updating the session under the cache's own locks.
 */
public final class FetchSessions {
    static final int SHARDS = 8;
    /** Kafka's {@code KafkaBroker.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS}. */
    static final long MIN_EVICTION_MS = 120_000;
    /** Names of the metrics {@link FetchSessionCache} and its shards register. */
    private static final String SESSIONS = "NumIncrementalFetchSessions";
    private static final String PARTITIONS = "NumIncrementalFetchPartitionsCached";
    private static final String EVICTIONS = "IncrementalFetchSessionEvictionsPerSec";
    private static final Logger LOG = LoggerFactory.getLogger(FetchSessions.class);

    private FetchSessions() {}

    /**
     * A session manager for {@code slots} sessions in all, its sizes exported to
     * {@code registry} as {@code lakestream.broker.fetch.sessions} and
     * {@code lakestream.broker.fetch.session.partitions}.
     */
    public static FetchManager create(int slots, MeterRegistry registry) {
        // The cache's gauges live in Kafka's JVM-wide Yammer registry, which keeps the first of a name:
        // dropped first, so that they count this cache and not one a previous broker of this JVM made.
        for (String kafkaName : List.of(SESSIONS, PARTITIONS, EVICTIONS)) {
            FetchSessionCache.METRICS_GROUP.removeMetric(kafkaName);
        }
        List<FetchSessionCacheShard> shards = new ArrayList<>(SHARDS);
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(new FetchSessionCacheShard(slots / SHARDS, MIN_EVICTION_MS, Integer.MAX_VALUE / SHARDS, shard));
        }
        FetchManager sessions = new FetchManager(Time.SYSTEM, new FetchSessionCache(shards));
        export(registry, "lakestream.broker.fetch.sessions", SESSIONS, "Incremental fetch sessions cached");
        export(registry, "lakestream.broker.fetch.session.partitions", PARTITIONS,
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
        LOG.warn("Kafka's fetch session cache registered no gauge {}: {} is not exported", kafkaName, name);
    }
}
