package io.lakestream.controller.cluster;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * Checks topic config overrides against Kafka's own topic config definition
 * ({@link LogConfig}) and Lakestream's own topic configs (those of table topics, declared in
 * the table-topic module and handed to the controller when it starts): unknown names and bad
 * values are refused with {@link Errors#INVALID_CONFIG}, so a client gets the message Kafka
 * would give. The controller applies it to every change; a broker applies it to a
 * validate-only CreateTopics, which does not reach the controller. Every voter of a quorum,
 * and every broker, must be given the same definitions. Immutable.
 */
public final class TopicConfigValidation {
    private final ConfigDef lakestreamConfigs;

    /** @param lakestreamConfigs the topic configs beyond Kafka's that topics may set */
    public TopicConfigValidation(ConfigDef lakestreamConfigs) {
        this.lakestreamConfigs = lakestreamConfigs;
    }

    public void validate(String topic, Map<String, String> configs) {
        Map<String, String> kafka = new HashMap<>();
        Map<String, String> lakestream = new HashMap<>();
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null) {
                throw invalid(topic, "config " + e.getKey() + " has no value");
            }
            requireKnownName(topic, e.getKey());
            (lakestreamConfigs.names().contains(e.getKey()) ? lakestream : kafka).put(e.getKey(), e.getValue());
        }
        try {
            LogConfig.validate(kafka);
            lakestreamConfigs.parse(lakestream);
        } catch (KafkaException e) {
            throw invalid(topic, e.getMessage());
        }
    }

    /** A name neither Kafka nor Lakestream knows is a typo the client should hear about. */
    private void requireKnownName(String topic, String key) {
        if (!LogConfig.configNames().contains(key) && !lakestreamConfigs.names().contains(key)) {
            throw invalid(topic, "unknown topic config name " + key);
        }
    }

    private static ClusterMetadataException invalid(String topic, String message) {
        return new ClusterMetadataException(Errors.INVALID_CONFIG, "topic " + topic + ": " + message);
    }
}
