package io.lakestream.table.write;

import io.lakestream.table.convert.RecordConverter;
import io.lakestream.table.convert.SourceRecord;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;

/**
 * Brings a table's schema to what a chunk of records needs, before any of them is written: the
 * change (new columns, widened types) is committed at once with Iceberg's
 * {@code unionByNameWith}, so every data file is written with a schema the table has. When
 * another writer changed the schema first, the chunk is analyzed again against the new schema
 * (a record that fitted before may not any more: it then fails like any incompatible one).
 * Stateless.
 */
final class SchemaEvolution {
    private static final int ATTEMPTS = 10;

    private SchemaEvolution() {}

    /** The analysis of {@code records} against the table's schema after any change they needed. */
    static RecordConverter.Analysis analyzeAndEvolve(Table table, RecordConverter converter, List<SourceRecord> records) {
        RecordConverter.Analysis analysis = converter.analyze(records, table.schema().asStruct());
        for (int attempt = 1; analysis.needed() != table.schema().asStruct(); attempt++) {
            try {
                table.updateSchema().unionByNameWith(new Schema(analysis.needed().fields())).commit();
                return analysis;
            } catch (CommitFailedException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                table.refresh();
                analysis = converter.analyze(records, table.schema().asStruct());
            }
        }
        return analysis;
    }
}
