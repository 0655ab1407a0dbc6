package io.lakestream.table.convert;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Turns a topic's records into table rows, in two steps so that a whole chunk of records
 * needs at most one schema change: {@link #analyze} parses the records and finds the schema
 * they need; after the table has been evolved to it, {@link #toRow} builds each row.
 *
 * <p>Implementations keep per-worker state: one per partition worker, called from its thread.
 */
public interface RecordConverter {

    /** The columns of a new table: the Kafka metadata columns and what this format always has. */
    Schema initialSchema();

    /**
     * Parses {@code records} against the table's current row type.
     *
     * @return the records that will convert, the ones that will not (with why), and the row
     *     type the good ones need, which is {@code current} itself if nothing changes
     */
    Analysis analyze(List<SourceRecord> records, Types.StructType current);

    /** The row of a record that {@link #analyze} accepted, in {@code schema} (which holds what it needed). */
    Record toRow(Parsed parsed, Schema schema);

    /**
     * The analyze loop of formats that parse each record on its own: {@code step} parses one
     * record against the row type so far; a record it rejects goes to the failures and leaves the
     * row type as it was.
     */
    static Analysis analyzeEach(List<SourceRecord> records, Types.StructType current, ParseStep step) {
        List<Parsed> accepted = new ArrayList<>(records.size());
        List<Failure> failed = new ArrayList<>();
        Types.StructType needed = current;
        for (SourceRecord record : records) {
            Step parsed;
            try {
                parsed = step.parse(record, needed);
            } catch (IncompatibleRecordException e) {
                failed.add(new Failure(record, e.getMessage()));
                continue;
            }
            needed = parsed.needed();
            accepted.add(new Parsed(record, parsed.value()));
        }
        return new Analysis(accepted, failed, needed);
    }

    /** One format's parse of one record, for {@link #analyzeEach}. */
    @FunctionalInterface
    interface ParseStep {
        /**
         * @param needed the row type the records before this one need
         * @throws IncompatibleRecordException if the record cannot become a row
         */
        Step parse(SourceRecord record, Types.StructType needed) throws IncompatibleRecordException;
    }

    /**
     * @param value the parsed value (format specific), for {@link Parsed#value}
     * @param needed the row type this record and the ones before it need
     */
    record Step(Object value, Types.StructType needed) {}

    /** A record and its parsed value (format specific). */
    record Parsed(SourceRecord source, Object value) {}

    /** A record that cannot become a row, and why. */
    record Failure(SourceRecord source, String reason) {}

    /**
     * @param accepted in offset order
     * @param failed in offset order
     * @param needed the row type the accepted records need
     */
    record Analysis(List<Parsed> accepted, List<Failure> failed, Types.StructType needed) {}
}
