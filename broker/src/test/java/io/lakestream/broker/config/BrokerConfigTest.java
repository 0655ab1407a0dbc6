package io.lakestream.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void theBlockWalCapacityIsWholeBlocksOfAtLeastOneMebibyte() throws IOException {
        Properties props = shippedServerConfig();

        props.setProperty(BrokerConfig.WAL_CAPACITY_BYTES, "1048577");
        assertThatThrownBy(() -> new BrokerConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("1048577").hasMessageContaining(BrokerConfig.WAL_CAPACITY_BYTES)
                .hasMessageContaining("must be a multiple of 4096");
        props.setProperty(BrokerConfig.WAL_CAPACITY_BYTES, "4096");
        assertThatThrownBy(() -> new BrokerConfig(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(BrokerConfig.WAL_CAPACITY_BYTES).hasMessageContaining("at least 1048576");
        props.setProperty(BrokerConfig.WAL_CAPACITY_BYTES, "1052672");
        assertThat(new BrokerConfig(props).getLong(BrokerConfig.WAL_CAPACITY_BYTES)).isEqualTo(1052672L);
    }

    private static Properties shippedServerConfig() throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("..", "config", "server.properties"))) {
            props.load(reader);
        }
        return props;
    }
}
