package io.lakestream.table.convert;

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
