package io.lakestream.broker.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what {@link ConfigDocs} generates from the definitions today. */
class ConfigDocsTest {
    private static final Path COMMITTED = Path.of("..", "docs", "configuration.md");

    @Test
    void committedConfigurationDocsMatchTheDefinitions() throws Exception {
        String generated = ConfigDocs.markdown();

        assertThat(generated).contains("broker_" + BrokerConfig.WAL_TYPE, "topic_retention.ms");
        assertThat(Files.readString(COMMITTED))
            .as("docs/configuration.md is stale; regenerate it with: java -cp broker/target/lakestream-server.jar "
                + "io.lakestream.broker.config.ConfigDocs docs/configuration.md")
            .isEqualTo(generated);
    }
}
