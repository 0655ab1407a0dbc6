package io.lakestream.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example under config/ is a valid broker config: no unknown key, no bad value. */
class ShippedConfigsTest {
    private static final Path CONFIG_DIR = Path.of("..", "config");

    static List<Path> shippedConfigs() throws IOException {
        try (Stream<Path> files = Files.list(CONFIG_DIR)) {
            return files.filter(file -> file.toString().endsWith(".properties")).sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("shippedConfigs")
    void shippedConfigIsValid(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        }

        BrokerConfig config = new BrokerConfig(props);

        assertThat(config.nodeId()).as("%s node.id", file).isPositive();
        assertThat(config.runsBroker() || config.runsController()).as("%s has a role", file).isTrue();
    }
}
