package io.lakestream.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where two observed results differ, as one line per path ({@code /topics/ct-valid/configs/
 * segment.bytes/value: Kafka "1073741824", Lakestream "104857600"}), so a failure shows the
 * difference rather than two long documents. Array elements with a {@code name} are matched
 * by name, others by position.
 */
final class JsonDiff {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LINES = 40;

    private JsonDiff() {}

    /** The differing paths of two results (JSON values, or anything Jackson can render). */
    static List<String> between(Object kafka, Object lakestream) {
        List<String> lines = new ArrayList<>();
        diff("", JSON.valueToTree(kafka), JSON.valueToTree(lakestream), lines);
        if (lines.size() > MAX_LINES) {
            int more = lines.size() - MAX_LINES;
            lines = new ArrayList<>(lines.subList(0, MAX_LINES));
            lines.add("... and " + more + " more");
        }
        return lines;
    }

    private static void diff(String path, JsonNode kafka, JsonNode lakestream, List<String> lines) {
        if (kafka == null || lakestream == null || kafka.getNodeType() != lakestream.getNodeType()
            || kafka.isValueNode()) {
            if (kafka == null || !kafka.equals(lakestream)) {
                lines.add((path.isEmpty() ? "/" : path) + ": Kafka " + text(kafka) + ", Lakestream " + text(lakestream));
            }
            return;
        }
        Map<String, JsonNode> expected = children(kafka);
        Map<String, JsonNode> actual = children(lakestream);
        Set<String> keys = new LinkedHashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        int before = lines.size();
        for (String key : keys) {
            diff(path + "/" + key, expected.get(key), actual.get(key), lines);
        }
        if (lines.size() == before && !kafka.equals(lakestream)) {
            lines.add((path.isEmpty() ? "/" : path) + ": the same elements in another order: Kafka "
                + expected.keySet() + ", Lakestream " + actual.keySet());
        }
    }

    private static Map<String, JsonNode> children(JsonNode node) {
        Map<String, JsonNode> children = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> children.put(field.getKey(), field.getValue()));
        } else {
            int index = 0;
            for (JsonNode element : node) {
                String key = element.hasNonNull("name") ? element.get("name").asText() : String.valueOf(index);
                children.put(children.containsKey(key) ? key + "#" + index : key, element);
                index++;
            }
        }
        return children;
    }

    private static String text(JsonNode node) {
        return node == null ? "(absent)" : node.toString();
    }
}
