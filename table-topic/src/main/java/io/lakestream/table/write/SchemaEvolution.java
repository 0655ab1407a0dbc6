package io.lakestream.table.write;

import io.lakestream.table.convert.RecordConverter;
import io.lakestream.table.convert.SourceRecord;
import io.lakestream.table.partition.TablePartitioning;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.types.Types;

/**
 * Brings a table's schema to what a chunk of records needs, before any of them is written: the
 * change (new columns, widened types) is committed at once with Iceberg's
 * {@code unionByNameWith}, so every data file is written with a schema the table has; then the
 * partition spec, whose fields may wait for a column to appear. When another writer changed
 * the schema first, the chunk is analyzed again against the new schema (a record that fitted
 * before may not any more: it then fails like any incompatible one).
 *
 * <p>Thread-safe: the workers of a topic share its {@link Table} object and change it only with
 * its lock held, here; the chunk is analyzed (parsed) without the lock, and analyzed again under
 * it only if the schema changed meanwhile.
 */
final class SchemaEvolution {
    private static final int ATTEMPTS = 10;

    private SchemaEvolution() {}

    /** The analysis of {@code records} against the table's schema after any change they needed. */
    static RecordConverter.Analysis analyzeAndEvolve(Table table, RecordConverter converter, List<SourceRecord> records,
                                                     TablePartitioning partitioning) {
        Types.StructType analyzedWith = schema(table).asStruct();
        RecordConverter.Analysis analysis = converter.analyze(records, analyzedWith);
        if (analysis.needed() == analyzedWith) {
            return analysis; // the common case: nothing to change
        }
        synchronized (table) {
            int schemaId = table.schema().schemaId();
            if (table.schema().asStruct() != analyzedWith) {
                analysis = converter.analyze(records, table.schema().asStruct()); // another worker changed it
            }
            for (int attempt = 1; analysis.needed() != table.schema().asStruct(); attempt++) {
                try {
                    table.updateSchema().unionByNameWith(new Schema(analysis.needed().fields())).commit();
                    break;
                } catch (CommitFailedException e) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                    table.refresh();
                    analysis = converter.analyze(records, table.schema().asStruct());
                }
            }
            if (table.schema().schemaId() != schemaId) {
                partitioning.apply(table); // a partition field's column may have just appeared
            }
        }
        return analysis;
    }

    /** The table's schema, read with its lock held (another worker may be changing it). */
    static Schema schema(Table table) {
        synchronized (table) {
            return table.schema();
        }
    }
}
