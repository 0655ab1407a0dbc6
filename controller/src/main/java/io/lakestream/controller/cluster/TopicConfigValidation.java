package io.lakestream.controller.cluster;

import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * Checks topic config overrides against Kafka's own topic config definition
 * ({@link LogConfig}): unknown names and bad values are refused with
 * {@link Errors#INVALID_CONFIG}, so a client gets the message Kafka would give. The
 * controller applies it to every change; a broker applies it to a validate-only CreateTopics,
 * which does not reach the controller. Stateless.
 */
public final class TopicConfigValidation {
    private TopicConfigValidation() {}

    public static void validate(String topic, Map<String, String> configs) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null) {
                throw invalid(topic, "config " + e.getKey() + " has no value");
            }
            requireKnownName(topic, e.getKey());
        }
        try {
            LogConfig.validate(configs);
        } catch (KafkaException e) {
            throw invalid(topic, e.getMessage());
        }
    }

    private static void requireKnownName(String topic, String key) {
        if (!LogConfig.configNames().contains(key)) {
            throw invalid(topic, "unknown topic config name " + key);
        }
    }

    private static ClusterMetadataException invalid(String topic, String message) {
        return new ClusterMetadataException(Errors.INVALID_CONFIG, "topic " + topic + ": " + message);
    }
}
