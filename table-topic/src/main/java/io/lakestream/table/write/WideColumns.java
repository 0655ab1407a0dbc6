package io.lakestream.table.write;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Types;

/**
 * Parquet settings for the wide string columns of a data file, chosen from the rows that open
 * it: a string column whose values average at least {@value #WIDE_VALUE_CHARS} characters is
 * written without a dictionary and without Parquet statistics. A dictionary hashes and compares
 * every value in full, and for such values either gives up once it passes
 * {@code write.parquet.dict-size-bytes} (distinct values) or gains little over the page
 * compression (repeated ones); min/max statistics compare every value in full too, to bound
 * little a query could prune by. Narrower columns keep both: a dictionary pays off for
 * low-cardinality ones. A setting the table has for a column itself wins. Stateless.
 */
final class WideColumns {
    static final int WIDE_VALUE_CHARS = 256;
    /** Enough rows to tell a wide column, few enough to cost nothing next to writing them. */
    private static final int SAMPLE_ROWS = 256;

    private WideColumns() {}

    /** The writer properties for a file of {@code schema} whose first rows are {@code rows}. */
    static Map<String, String> writerProperties(Schema schema, Map<String, String> tableProperties,
                                                List<? extends StructLike> rows) {
        Map<String, String> properties = new HashMap<>();
        List<? extends StructLike> sample = rows.subList(0, Math.min(rows.size(), SAMPLE_ROWS));
        collect(schema, schema.asStruct(), sample, tableProperties, properties);
        return properties;
    }

    private static void collect(Schema schema, Types.StructType struct, List<? extends StructLike> rows,
                                Map<String, String> tableProperties, Map<String, String> properties) {
        List<Types.NestedField> fields = struct.fields();
        for (int position = 0; position < fields.size(); position++) {
            Types.NestedField field = fields.get(position);
            if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.STRUCT) {
                collect(schema, field.type().asStructType(), values(rows, position, StructLike.class), tableProperties,
                    properties);
            } else if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.STRING
                && isWide(values(rows, position, CharSequence.class))) {
                String column = schema.findColumnName(field.fieldId());
                disableUnlessSet(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + column, tableProperties,
                    properties);
                disableUnlessSet(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + column, tableProperties,
                    properties);
            }
        }
    }

    /** The non-null values at {@code position} of {@code rows}. */
    private static <T> List<T> values(List<? extends StructLike> rows, int position, Class<T> type) {
        return rows.stream().map(row -> row.get(position, type)).filter(value -> value != null).toList();
    }

    private static boolean isWide(List<CharSequence> values) {
        long chars = 0;
        for (CharSequence value : values) {
            chars += value.length();
        }
        return !values.isEmpty() && chars / values.size() >= WIDE_VALUE_CHARS;
    }

    private static void disableUnlessSet(String key, Map<String, String> tableProperties,
                                         Map<String, String> properties) {
        if (!tableProperties.containsKey(key)) {
            properties.put(key, "false");
        }
    }
}
