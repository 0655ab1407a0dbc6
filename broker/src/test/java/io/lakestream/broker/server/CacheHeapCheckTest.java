package io.lakestream.broker.server;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The broker refuses to start with caches that would leave too little heap for the rest. */
class CacheHeapCheckTest {
    private static final long GIB = 1L << 30;

    private static BrokerConfig config(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(Map.of("node.id", 1, "log.dir", "/tmp/unused",
            "controller.quorum.voters", "1@127.0.0.1:9093"));
        props.putAll(overrides);
        return new BrokerConfig(props);
    }

    @Test
    void theDefaultCachesFitTheDefaultHeap() {
        assertThatCode(() -> LakestreamServer.checkCachesFitTheHeap(config(Map.of()), GIB)).doesNotThrowAnyException();
    }

    @Test
    void cachesOverHalfTheHeapAreRefusedWithWhatToChange() {
        BrokerConfig config = config(Map.of(BrokerConfig.LOG_CACHE_BYTES, 512L << 20));
        assertThatThrownBy(() -> LakestreamServer.checkCachesFitTheHeap(config, GIB))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("log.cache.size.bytes + block.cache.size.bytes + table.writer.memory.bytes = "
                + (768L << 20))
            .hasMessageContaining("LAKESTREAM_HEAP_OPTS");
    }
}
