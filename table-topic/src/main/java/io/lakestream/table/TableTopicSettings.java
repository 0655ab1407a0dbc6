package io.lakestream.table;

import io.lakestream.table.maintenance.MaintenanceSettings;
import io.lakestream.table.partition.PartitionField;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * What one table topic is to be: where its table is, how often it commits, how values convert
 * and what happens to records that do not. Parsed from topic configs by
 * {@link TableTopicConfig#settings}. Immutable.
 *
 * @param deadLetterTable where records that do not convert go; empty with errors.tolerance=none
 * @param partitionBy the table's partition fields (lakestream.table.partition.by)
 * @param upsert the id columns rows are upserted by; empty to append every record
 * @param maintenance how the table is maintained apart from ingestion
 */
public record TableTopicSettings(String topic, String topicId, TableIdentifier table, Duration commitInterval,
                                 TableFormat format, Optional<TableIdentifier> deadLetterTable,
                                 List<PartitionField> partitionBy, Optional<UpsertMode> upsert,
                                 MaintenanceSettings maintenance) {

    public TableTopicSettings {
        partitionBy = List.copyOf(partitionBy);
    }

    /** Settings with the default maintenance. */
    public TableTopicSettings(String topic, String topicId, TableIdentifier table, Duration commitInterval,
                              TableFormat format, Optional<TableIdentifier> deadLetterTable,
                              List<PartitionField> partitionBy, Optional<UpsertMode> upsert) {
        this(topic, topicId, table, commitInterval, format, deadLetterTable, partitionBy, upsert,
            MaintenanceSettings.DEFAULTS);
    }

    /** Settings with no partitioning. */
    public TableTopicSettings(String topic, String topicId, TableIdentifier table, Duration commitInterval,
                              TableFormat format, Optional<TableIdentifier> deadLetterTable) {
        this(topic, topicId, table, commitInterval, format, deadLetterTable, List.of(), Optional.empty());
    }

    /** Whether a record that does not convert stops the partition's sink (rather than going to the dead-letter table). */
    public boolean stopOnError() {
        return deadLetterTable.isEmpty();
    }
}
