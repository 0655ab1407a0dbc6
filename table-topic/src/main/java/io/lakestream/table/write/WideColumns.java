package io.lakestream.table.write;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * little a query could prune by. A narrower column whose sampled values nearly all differ
 * loses its dictionary only, for the same reason; the others keep both, since a dictionary
 * pays off for low-cardinality columns. A setting the table has for a column itself wins.
 * Stateless.
 */
final class WideColumns {
    static final int WIDE_VALUE_CHARS = 256;
    /** Enough rows to tell a wide column, few enough to cost nothing next to writing them. */
    private static final int SAMPLE_ROWS = 256;
    /** Fewer sampled values say little about a column's cardinality: it keeps its dictionary. */
    private static final int MIN_DISTINCT_SAMPLE = 64;

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
            } else if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.STRING) {
                List<CharSequence> values = values(rows, position, CharSequence.class);
                String column = schema.findColumnName(field.fieldId());
                if (isWide(values)) {
                    disableUnlessSet(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + column,
                        tableProperties, properties);
                    disableUnlessSet(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + column, tableProperties,
                        properties);
                } else if (isNearlyUnique(values)) {
                    disableUnlessSet(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + column,
                        tableProperties, properties);
                }
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

    /**
     * Whether nine in ten sampled values differ (ids, user names, keys): a dictionary of such a
     * column is built, hashing every value, only to be dropped when it outgrows its page.
     */
    private static boolean isNearlyUnique(List<CharSequence> values) {
        if (values.size() < MIN_DISTINCT_SAMPLE) {
            return false;
        }
        Set<String> distinct = new HashSet<>();
        values.forEach(value -> distinct.add(value.toString()));
        return distinct.size() * 10L >= values.size() * 9L;
    }

    private static void disableUnlessSet(String key, Map<String, String> tableProperties,
                                         Map<String, String> properties) {
        if (!tableProperties.containsKey(key)) {
            properties.put(key, "false");
        }
    }
}
