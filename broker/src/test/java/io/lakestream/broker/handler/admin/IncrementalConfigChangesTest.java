package io.lakestream.broker.handler.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.junit.jupiter.api.Test;

/** {@link IncrementalAlterConfigsHandler#changes}: the override changes of SET, DELETE, APPEND and SUBTRACT. */
class IncrementalConfigChangesTest {
    private static final String POLICY = TopicConfig.CLEANUP_POLICY_CONFIG;

    private static AlterableConfig op(OpType type, String key, String value) {
        return new AlterableConfig().setConfigOperation(type.id()).setName(key).setValue(value);
    }

    private static Map<String, String> changes(BrokerConfig broker, Map<String, String> overrides,
                                               AlterableConfig... ops) {
        return IncrementalAlterConfigsHandler.changes(List.of(ops), overrides, broker.topicConfig(overrides));
    }

    @Test
    void setAndDeleteBecomeAValueAndARemoval() {
        Map<String, String> changes = changes(new BrokerConfig(Map.of()), Map.of(TopicConfig.RETENTION_MS_CONFIG, "5"),
            op(OpType.SET, TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000"),
            op(OpType.DELETE, TopicConfig.RETENTION_MS_CONFIG, null));

        Map<String, String> expected = new HashMap<>();
        expected.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000");
        expected.put(TopicConfig.RETENTION_MS_CONFIG, null);
        assertThat(changes).isEqualTo(expected);
    }

    @Test
    void appendAndSubtractStartFromTheOverride() {
        BrokerConfig broker = new BrokerConfig(Map.of());
        assertThat(changes(broker, Map.of(POLICY, "compact"), op(OpType.APPEND, POLICY, "delete,compact")))
            .isEqualTo(Map.of(POLICY, "compact,delete"));
        assertThat(changes(broker, Map.of(POLICY, "compact,delete"), op(OpType.SUBTRACT, POLICY, "compact")))
            .isEqualTo(Map.of(POLICY, "delete"));
    }

    @Test
    void appendWithoutAnOverrideStartsFromTheValueInEffect() {
        BrokerConfig broker = new BrokerConfig(Map.of(BrokerConfig.LOG_CLEANUP_POLICY, "compact"));
        assertThat(changes(broker, Map.of(), op(OpType.APPEND, POLICY, "delete")))
            .isEqualTo(Map.of(POLICY, "compact,delete"));
        assertThat(changes(broker, Map.of(), op(OpType.SUBTRACT, POLICY, "compact")))
            .isEqualTo(Map.of(POLICY, ""));
    }

    @Test
    void appendToAConfigThatIsNotAListIsAnInvalidConfig() {
        assertThatThrownBy(() -> changes(new BrokerConfig(Map.of()), Map.of(),
            op(OpType.APPEND, TopicConfig.RETENTION_MS_CONFIG, "5")))
            .isInstanceOf(InvalidConfigurationException.class)
            .hasMessage("Can't APPEND to key retention.ms because its type is not LIST.");
    }

    @Test
    void anUnknownOperationIsAnInvalidRequest() {
        assertThatThrownBy(() -> changes(new BrokerConfig(Map.of()), Map.of(),
            new AlterableConfig().setConfigOperation((byte) 9).setName(POLICY).setValue("x")))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("Unknown operations type 9");
    }
}
