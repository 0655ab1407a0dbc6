package io.lakestream.table.commit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The Kafka offsets a table holds, as its snapshots record them. Every snapshot this module
 * commits carries in its summary the topic id and, for every partition ever committed, the
 * offset after the last record the table holds ({@value #OFFSETS}, a JSON object by partition).
 * The newest snapshot that has them is the truth; snapshots made by others (a Trino
 * {@code DELETE}, a compaction) are skipped over. Immutable.
 *
 * @param topicId the topic these offsets are of; a re-created topic of the same name has another
 */
public record CommittedOffsets(String topicId, Map<Integer, Long> offsets) {
    public static final String OFFSETS = "lakestream.kafka.offsets";
    public static final String TOPIC_ID = "lakestream.kafka.topic-id";
    public static final String TOPIC = "lakestream.kafka.topic";
    public static final String COMMIT_ID = "lakestream.commit-id";
    public static final CommittedOffsets NONE = new CommittedOffsets(null, Map.of());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<Integer, Long>> OFFSETS_TYPE = new TypeReference<>() {};

    public CommittedOffsets {
        offsets = Map.copyOf(offsets);
    }

    /** What the table's current snapshot, or its newest ancestor that says, holds. */
    public static CommittedOffsets of(Table table) {
        return newestSnapshotWithOffsets(table)
            .map(snapshot -> new CommittedOffsets(snapshot.summary().get(TOPIC_ID), parse(snapshot.summary().get(OFFSETS))))
            .orElse(NONE);
    }

    /** The current snapshot, or its newest ancestor, whose summary records offsets. */
    public static Optional<Snapshot> newestSnapshotWithOffsets(Table table) {
        Snapshot snapshot = table.currentSnapshot();
        while (snapshot != null) {
            if (snapshot.summary().containsKey(OFFSETS)) {
                return Optional.of(snapshot);
            }
            snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
        }
        return Optional.empty();
    }

    /**
     * The summary entries that record the offsets, copied from the newest snapshot that has
     * them: a snapshot that changes only the layout (a compaction) carries them on, so that
     * expiring the snapshots before it cannot lose them.
     */
    public static Map<String, String> summaryOf(Table table) {
        return newestSnapshotWithOffsets(table).map(snapshot -> {
            Map<String, String> entries = new TreeMap<>();
            for (String key : new String[] {OFFSETS, TOPIC_ID, TOPIC}) {
                String value = snapshot.summary().get(key);
                if (value != null) {
                    entries.put(key, value);
                }
            }
            return (Map<String, String>) entries;
        }).orElse(Map.of());
    }

    /** The offset after the last record of {@code partition} of topic {@code topicId} the table holds, if any. */
    public Optional<Long> offset(String topicId, int partition) {
        return topicId.equals(this.topicId) ? Optional.ofNullable(offsets.get(partition)) : Optional.empty();
    }

    /** These offsets (if of {@code topicId}) with {@code changes} applied, as of topic {@code topicId}. */
    public CommittedOffsets with(String topicId, Map<Integer, Long> changes) {
        Map<Integer, Long> merged = new TreeMap<>(topicId.equals(this.topicId) ? offsets : Map.of());
        merged.putAll(changes);
        return new CommittedOffsets(topicId, merged);
    }

    /** The summary value of {@link #OFFSETS}. */
    public String offsetsJson() {
        try {
            return JSON.writeValueAsString(new TreeMap<>(offsets));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<Integer, Long> parse(String json) {
        try {
            return JSON.readValue(json, OFFSETS_TYPE);
        } catch (IOException e) {
            throw new UncheckedIOException("Unreadable " + OFFSETS + " in a snapshot summary: " + json, e);
        }
    }
}
