package io.lakestream.table;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a table topic upserts (lakestream.table.id.columns): the columns that identify a row, and
 * optionally the value field that names each record's operation (lakestream.table.cdc.field),
 * whose values {@code d}, {@code delete} (any case) delete the key; any other value, or none,
 * upserts. A tombstone (a record with no value) deletes its key when the key is
 * {@code _kafka_key}. Immutable.
 */
public record UpsertMode(List<String> idColumns, Optional<String> cdcField) {
    private static final Set<String> DELETES = Set.of("d", "delete");

    public UpsertMode {
        idColumns = List.copyOf(idColumns);
        if (idColumns.isEmpty()) {
            throw new IllegalArgumentException("Upserts need at least one id column");
        }
    }

    /** Whether an operation field's value means delete. */
    public static boolean isDelete(Object operation) {
        return operation != null && DELETES.contains(operation.toString().toLowerCase(Locale.ROOT));
    }
}
