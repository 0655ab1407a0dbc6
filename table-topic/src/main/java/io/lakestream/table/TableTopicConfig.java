package io.lakestream.table;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.ValidString.in;

import io.lakestream.table.maintenance.MaintenanceSettings;
import io.lakestream.table.partition.PartitionField;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The topic configs of table topics, declared once with their types, defaults, validators and
 * documentation. They are set like any topic config (CreateTopics, IncrementalAlterConfigs),
 * validated by the controller together with Kafka's own topic configs, and read by the broker
 * that leads the topic's partitions. Immutable.
 */
public final class TableTopicConfig extends AbstractConfig {
    public static final String PREFIX = "lakestream.table.";
    public static final String ENABLE = "lakestream.table.enable";
    public static final String NAMESPACE = "lakestream.table.namespace";
    public static final String NAME = "lakestream.table.name";
    public static final String COMMIT_INTERVAL_MS = "lakestream.table.commit.interval.ms";
    public static final String FORMAT = "lakestream.table.format";
    public static final String ERRORS_TOLERANCE = "lakestream.table.errors.tolerance";
    public static final String ERRORS_TABLE = "lakestream.table.errors.table";
    public static final String PARTITION_BY = "lakestream.table.partition.by";
    public static final String ID_COLUMNS = "lakestream.table.id.columns";
    public static final String CDC_FIELD = "lakestream.table.cdc.field";
    public static final String MAINTENANCE_INTERVAL_MS = "lakestream.table.maintenance.interval.ms";
    public static final String SNAPSHOT_RETENTION_MS = "lakestream.table.snapshot.retention.ms";
    public static final String SNAPSHOT_MIN_RETAINED = "lakestream.table.snapshot.min.retained";
    public static final String COMPACTION_MIN_INPUT_FILES = "lakestream.table.compaction.min.input.files";

    public static final long MIN_COMMIT_INTERVAL_MS = 1_000;

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
        .define(ENABLE, Type.BOOLEAN, false, HIGH,
            "Whether the topic is continuously materialized, exactly once, as an Apache Iceberg table in the "
                + "broker's catalog.")
        .define(NAMESPACE, Type.STRING, "default", nonEmpty(), MEDIUM,
            "The table's namespace; dots separate levels. Created if missing.")
        .define(NAME, Type.STRING, "", MEDIUM,
            "The table's name. Empty: the topic name, lower case, with every character other than a-z, 0-9 and _ "
                + "replaced by _ (so that SQL needs no quotes).")
        .define(COMMIT_INTERVAL_MS, Type.LONG, 60_000L, atLeast(MIN_COMMIT_INTERVAL_MS), HIGH,
            "How often the table gets a snapshot with the records written since the last one: the freshness of "
                + "the table, and about how long its data files collect rows.")
        .define(FORMAT, Type.STRING, "json", in("json", "raw", "avro", "protobuf"), HIGH,
            "How record values become columns: 'json', objects whose fields become columns (the schema is "
                + "inferred from the data; a new field adds a column, int widens to long and float to double); "
                + "'raw', the value bytes in a 'value' column; 'avro' and 'protobuf', values in Confluent's wire "
                + "format (magic byte 0, the 4-byte schema id, for protobuf the message indexes, then the "
                + "message) whose schema is in the broker's schema registry: the schema's fields become typed "
                + "columns, and a newer schema's new fields add columns. Every row also has the Kafka columns _kafka_partition, "
                + "_kafka_offset, _kafka_timestamp, _kafka_key and _kafka_headers.")
        .define(ERRORS_TOLERANCE, Type.STRING, "none", in("none", "all"), MEDIUM,
            "What happens to a record that does not convert (not JSON, a field whose type cannot change to fit "
                + "it, or for avro and protobuf a value without Confluent's header, with a schema id the registry "
                + "does not have, or whose bytes do not decode): 'none' stops the partition's table writes at it and reports why (logs, metrics); the "
                + "records before it are committed and consumers of the topic are not affected. 'all' writes it to "
                + "the dead-letter table with its bytes, Kafka columns and the error, and goes on.")
        .define(ERRORS_TABLE, Type.STRING, "", MEDIUM,
            "The dead-letter table, in the table's namespace, with errors.tolerance=all. Empty: the table's name "
                + "followed by _dlq.")
        .define(PARTITION_BY, Type.STRING, "", new PartitionByValidator(), MEDIUM,
            "The table's partitioning: Iceberg transforms of columns, as col or identity(col), year(col), "
                + "month(col), day(col), hour(col), bucket(N, col), truncate(W, col); for example "
                + "day(_kafka_timestamp),bucket(16,id). A field whose column does not exist yet is added when the "
                + "column appears; fields are only added (old files keep their layout).")
        .define(ID_COLUMNS, Type.LIST, "", MEDIUM,
            "Upsert mode: the top-level columns that identify a row (for example id, or _kafka_key). A record "
                + "replaces the row with its id (Iceberg equality deletes), so the table holds one row per id; a "
                + "record without a value for an id column does not convert. Empty: every record is appended. Keys "
                + "should stay in one Kafka partition (the default partitioner keys by record key).")
        .define(CDC_FIELD, Type.STRING, "", MEDIUM,
            "Upsert mode: the value field naming each record's operation; 'd' or 'delete' (any case) deletes the "
                + "row with the record's id, anything else upserts. A tombstone deletes when the id column is "
                + "_kafka_key.")
        .define(MAINTENANCE_INTERVAL_MS, Type.LONG, MaintenanceSettings.DEFAULTS.interval().toMillis(),
            atLeast(MIN_COMMIT_INTERVAL_MS), MEDIUM,
            "How often the broker leading the topic's partition 0 maintains the table: expires old snapshots and "
                + "rewrites small data files. Maintenance runs whether or not records arrive, also while the "
                + "sink is stopped.")
        .define(SNAPSHOT_RETENTION_MS, Type.LONG, MaintenanceSettings.DEFAULTS.snapshotRetention().toMillis(),
            atLeast(0), MEDIUM,
            "How long the table keeps old snapshots (for time travel), separate from the topic's retention.ms. "
                + "Older snapshots are expired and the files only they use deleted; the newest snapshot holding "
                + "the table's Kafka offsets is always kept.")
        .define(SNAPSHOT_MIN_RETAINED, Type.INT, MaintenanceSettings.DEFAULTS.minSnapshots(), atLeast(1), MEDIUM,
            "The newest snapshots kept whatever their age.")
        .define(COMPACTION_MIN_INPUT_FILES, Type.INT, MaintenanceSettings.DEFAULTS.minInputFiles(), atLeast(2), MEDIUM,
            "A table partition's small data files (under 3/4 of the table's write.target-file-size-bytes, 128 MiB) "
                + "are rewritten into files of about the target size once it has this many. Rows are read with "
                + "deletes applied, so upsert tables shrink too.");

    public TableTopicConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, false);
    }

    /** The table keys among {@code topicConfigs}, the others left out. */
    public static TableTopicConfig fromTopicConfigs(Map<String, ?> topicConfigs) {
        Map<String, Object> ours = new HashMap<>();
        topicConfigs.forEach((key, value) -> {
            if (CONFIG_DEF.names().contains(key)) {
                ours.put(key, value);
            }
        });
        return new TableTopicConfig(ours);
    }

    public boolean enabled() {
        return getBoolean(ENABLE);
    }

    /** The settings of a topic with these configs, or empty if it is not a table topic. */
    public Optional<TableTopicSettings> settings(String topic, String topicId) {
        if (!enabled()) {
            return Optional.empty();
        }
        Namespace namespace = Namespace.of(getString(NAMESPACE).split("\\."));
        String name = getString(NAME).isEmpty() ? defaultTableName(topic) : getString(NAME);
        Optional<TableIdentifier> deadLetters = Optional.empty();
        if ("all".equals(getString(ERRORS_TOLERANCE))) {
            String errorsTable = getString(ERRORS_TABLE).isEmpty() ? name + "_dlq" : getString(ERRORS_TABLE);
            deadLetters = Optional.of(TableIdentifier.of(namespace, errorsTable));
        }
        List<PartitionField> partitionBy = PartitionField.parseAll(getString(PARTITION_BY));
        Optional<UpsertMode> upsert = getList(ID_COLUMNS).isEmpty() ? Optional.empty()
            : Optional.of(new UpsertMode(getList(ID_COLUMNS),
                getString(CDC_FIELD).isEmpty() ? Optional.empty() : Optional.of(getString(CDC_FIELD))));
        for (PartitionField field : partitionBy) {
            // An equality delete reaches only rows of its own table partition: a row's partition
            // must follow from its id, or an update would leave the old row behind.
            if (upsert.isPresent() && !upsert.get().idColumns().contains(field.column())) {
                throw new ConfigException(PARTITION_BY, getString(PARTITION_BY), "with " + ID_COLUMNS
                    + " every partition field must be of an id column, and " + field.column() + " is not one");
            }
        }
        return Optional.of(new TableTopicSettings(topic, topicId, TableIdentifier.of(namespace, name),
            Duration.ofMillis(getLong(COMMIT_INTERVAL_MS)), TableFormat.parse(getString(FORMAT)), deadLetters,
            partitionBy, upsert, new MaintenanceSettings(Duration.ofMillis(getLong(MAINTENANCE_INTERVAL_MS)),
                Duration.ofMillis(getLong(SNAPSHOT_RETENTION_MS)), getInt(SNAPSHOT_MIN_RETAINED),
                getInt(COMPACTION_MIN_INPUT_FILES))));
    }

    /** A topic's default table name: lower case, and only a-z, 0-9 and _. */
    public static String defaultTableName(String topic) {
        return topic.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    private static ConfigDef.Validator nonEmpty() {
        return new NamespaceValidator();
    }

    /** Iceberg transforms of columns; see {@link PartitionField#parse}. */
    private static final class PartitionByValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                PartitionField.parseAll(value == null ? "" : value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a comma-separated list of col, identity(col), year(col), month(col), day(col), hour(col), "
                + "bucket(N, col), truncate(W, col)";
        }
    }

    /** A namespace: one or more non-empty names separated by dots. */
    private static final class NamespaceValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String text = value == null ? "" : value.toString();
            if (text.isEmpty() || text.startsWith(".") || text.endsWith(".") || text.contains("..")) {
                throw new ConfigException(name, value, "must be one or more non-empty names separated by dots");
            }
        }

        @Override
        public String toString() {
            return "one or more non-empty names separated by dots";
        }
    }
}
