package io.lakestream.table.partition;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a table's partition spec to lakestream.table.partition.by. A field whose column does
 * not exist yet (a JSON field no record has had) is added once the schema has the column, so
 * the spec grows with the schema; fields are only ever added (Iceberg partition evolution: old
 * files keep their old layout), never removed. Not thread-safe: one per table topic, called by
 * its workers (on the table writer threads) with the table's lock held, or by its table-topic
 * thread while no worker runs.
 */
public final class TablePartitioning {
    private static final Logger LOG = LoggerFactory.getLogger(TablePartitioning.class);
    private static final int ATTEMPTS = 10;

    private final List<PartitionField> fields;
    /** Fields the table refused (a transform its column's type does not support); reported once. */
    private final List<PartitionField> refused = new ArrayList<>();

    public TablePartitioning(List<PartitionField> fields) {
        this.fields = List.copyOf(fields);
    }

    /** Whether some field is not in the table's spec yet. */
    public boolean pending(Table table) {
        return !missing(table).isEmpty();
    }

    /**
     * Adds the fields whose column now exists and that the spec lacks; refreshes and tries again
     * if another writer changed the table first.
     */
    public void apply(Table table) {
        for (int attempt = 1; ; attempt++) {
            List<PartitionField> addable = new ArrayList<>();
            for (PartitionField field : missing(table)) {
                if (table.schema().findField(field.column()) != null) {
                    addable.add(field);
                }
            }
            if (addable.isEmpty()) {
                return;
            }
            UpdatePartitionSpec update = table.updateSpec();
            try {
                for (PartitionField field : addable) {
                    try {
                        update.addField(field.term());
                    } catch (IllegalArgumentException | ValidationException e) {
                        refused.add(field);
                        LOG.error("Table {} cannot be partitioned by {}: {}", table.name(), field, e.getMessage());
                        return;
                    }
                }
                update.commit();
                LOG.info("Table {} is now partitioned by {}", table.name(), table.spec().fields());
                return;
            } catch (CommitFailedException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                table.refresh();
            }
        }
    }

    private List<PartitionField> missing(Table table) {
        PartitionSpec spec = table.spec();
        List<PartitionField> missing = new ArrayList<>();
        for (PartitionField field : fields) {
            if (refused.contains(field)) {
                continue;
            }
            Types.NestedField column = table.schema().findField(field.column());
            boolean present = column != null && spec.fields().stream().anyMatch(existing ->
                existing.sourceId() == column.fieldId() && existing.transform().toString().equals(field.icebergTransform()));
            if (!present) {
                missing.add(field);
            }
        }
        return missing;
    }
}
