package io.lakestream.table.write;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.WriteResult;

/**
 * Writes a worker's rows into files of one table schema and partition spec, until closed:
 * appends ({@link AppendRowWriter}), or upserts and deletes by the id columns
 * ({@link UpsertRowWriter}). Not thread-safe.
 */
interface RowWriter {

    Schema schema();

    PartitionSpec spec();

    /** Adds {@code row}; in upsert mode it replaces any row with the same id columns. */
    void write(Record row);

    /** Removes the rows with the id columns of {@code row} (upsert mode only). */
    void delete(Record row);

    /** Closes the open files and returns every file written. */
    WriteResult finish();
}
