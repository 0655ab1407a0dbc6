package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.controller.cluster.ConfigOp;
import io.lakestream.controller.command.ControllerCommand;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Topic configs beyond Kafka's (table topics') are validated with their own definition. */
class LakestreamTopicConfigsTest extends ClusterStateFixture {

    @Override
    ConfigDef lakestreamTopicConfigs() {
        return new ConfigDef()
            .define("lakestream.table.enable", ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.HIGH, "on")
            .define("lakestream.table.commit.interval.ms", ConfigDef.Type.LONG, 60_000L, ConfigDef.Range.atLeast(1000),
                ConfigDef.Importance.HIGH, "interval");
    }

    @Test
    void lakestreamTopicConfigsAreAcceptedBesideKafkasAndValidated() {
        createTopic("orders", 1, Map.of("lakestream.table.enable", "true", "retention.ms", "60000"));
        assertThat(topic("orders").configs()).containsEntry("lakestream.table.enable", "true");

        assertThat(assertRefusedChangingNothing(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("lakestream.table.commit.interval.ms", "10")), false), Errors.INVALID_CONFIG))
            .hasMessageContaining("lakestream.table.commit.interval.ms");
        assertRefusedChangingNothing(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("lakestream.table.enable", "perhaps")), false), Errors.INVALID_CONFIG);
        assertRefusedChangingNothing(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("lakestream.table.nonsense", "1")), false), Errors.INVALID_CONFIG);

        run(new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("lakestream.table.commit.interval.ms", "1000"),
                ConfigOp.delete("lakestream.table.enable")), false));
        assertThat(topic("orders").configs()).containsEntry("lakestream.table.commit.interval.ms", "1000")
            .doesNotContainKey("lakestream.table.enable");
    }
}
