package io.lakestream.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.network.RequestConvertToJson;

/**
 * A response as the compat tests compare it: Kafka's own JSON rendering of the response data
 * (the one its request log uses), without what legitimately differs between two clusters.
 * Error messages are free text, so only error codes are compared, and they are shown by name;
 * topic ids, cluster ids, fetch session ids and ports are random, so only whether an id is set
 * is kept.
 *
 * <p>Config entries are sorted by name: Kafka lists them in the order of a hash map, which
 * means nothing to a client. Lakestream's own topic configs ({@code lakestream.*}, those of
 * table topics) are left out: Kafka has none of them, and its clients pass them through.
 *
 * <p>One documented difference is folded in: Kafka 4 writes a cluster-wide dynamic default of
 * {@code min.insync.replicas} when it formats a cluster (for eligible leader replicas, KIP-966),
 * so its source there is DYNAMIC_DEFAULT_BROKER_CONFIG where Lakestream, which has no dynamic
 * configs and no replicas, says DEFAULT_CONFIG for the same value. See docs/architecture.md.
 */
public final class Observed {
    /** Free text, or the same on no two clusters. */
    private static final Set<String> DROPPED = Set.of("errorMessage", "throttleTimeMs", "clusterId",
        "batchIndexErrorMessage");
    private static final String ZERO_ID = Uuid.ZERO_UUID.toString();
    private static final String LAKESTREAM_CONFIG_PREFIX = "lakestream.";

    private Observed() {}

    /** The response's data rendered at its newest version, less what two clusters may not share. */
    public static JsonNode json(AbstractResponse response) {
        JsonNode json = RequestConvertToJson.response(response, response.data().highestSupportedVersion());
        normalize(json);
        return json;
    }

    private static void normalize(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove(DROPPED);
            if (object.path("name").asText().equals(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                && object.path("configSource").asInt() == ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG.id()) {
                object.put("configSource", ConfigSource.DEFAULT_CONFIG.id());
            }
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (name.equals("topicId") && value.isTextual() && !value.asText().equals(ZERO_ID)) {
                    object.put(name, "<topic id>");
                } else if (name.equals("sessionId") && value.isNumber() && value.asInt() != 0) {
                    object.put(name, "<session id>");
                } else if (name.equals("port") && value.isNumber()) {
                    object.put(name, "<port>");
                } else if (name.equals("errorCode") && value.isNumber()) {
                    object.put(name, Errors.forCode(value.shortValue()).name());
                } else if (name.equals("configs") && value instanceof ArrayNode configs) {
                    List<JsonNode> entries = new ArrayList<>();
                    configs.forEach(entry -> {
                        if (!entry.path("name").asText().startsWith(LAKESTREAM_CONFIG_PREFIX)) {
                            entries.add(entry);
                        }
                    });
                    entries.sort(Comparator.comparing(entry -> entry.path("name").asText()));
                    configs.removeAll();
                    configs.addAll(entries);
                    normalize(configs);
                } else {
                    normalize(value);
                }
            }
        } else if (node instanceof ArrayNode array) {
            Iterator<JsonNode> elements = array.elements();
            while (elements.hasNext()) {
                normalize(elements.next());
            }
        }
    }
}
