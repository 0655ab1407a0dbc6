package io.lakestream.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.network.RequestConvertToJson;

/**
 * A response as the compat tests compare it: Kafka's own JSON rendering of the response data
 * (the one its request log uses), without what legitimately differs between two clusters.
 * Error messages are free text, so only error codes are compared, and they are shown by name;
 * topic ids, cluster ids and ports are random, so only whether an id is set is kept.
 */
public final class Observed {
    /** Free text, or the same on no two clusters. */
    private static final Set<String> DROPPED = Set.of("errorMessage", "throttleTimeMs", "clusterId",
        "batchIndexErrorMessage");
    private static final String ZERO_ID = Uuid.ZERO_UUID.toString();

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
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
            object.fields().forEachRemaining(fields::add);
            for (Map.Entry<String, JsonNode> field : fields) {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (name.equals("topicId") && value.isTextual() && !value.asText().equals(ZERO_ID)) {
                    object.put(name, "<topic id>");
                } else if (name.equals("port") && value.isNumber()) {
                    object.put(name, "<port>");
                } else if (name.equals("errorCode") && value.isNumber()) {
                    object.put(name, Errors.forCode(value.shortValue()).name());
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
