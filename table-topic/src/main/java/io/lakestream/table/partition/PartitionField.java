package io.lakestream.table.partition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Term;

/**
 * One field of lakestream.table.partition.by: an Iceberg transform of a column, written as in
 * Spark's and Trino's DDL: {@code col} or {@code identity(col)}, {@code year(col)},
 * {@code month(col)}, {@code day(col)}, {@code hour(col)}, {@code bucket(N, col)},
 * {@code truncate(W, col)}. Immutable.
 *
 * @param parameter N or W for bucket and truncate, else 0
 */
public record PartitionField(String transform, String column, int parameter) {
    private static final Pattern CALL = Pattern.compile("^\\s*(\\w+)\\s*\\(\\s*(?:(\\d+)\\s*,\\s*)?([^(),\\s]+)\\s*\\)\\s*$");
    private static final Pattern COLUMN = Pattern.compile("^\\s*([^(),\\s]+)\\s*$");

    /**
     * Parses one field.
     *
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    public static PartitionField parse(String text) {
        Matcher column = COLUMN.matcher(text);
        if (column.matches()) {
            return new PartitionField("identity", column.group(1), 0);
        }
        Matcher call = CALL.matcher(text);
        if (!call.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a column or a transform such as day(col), "
                + "bucket(16, col) or truncate(10, col)");
        }
        String transform = call.group(1).toLowerCase(Locale.ROOT);
        boolean parameterized = transform.equals("bucket") || transform.equals("truncate");
        if (parameterized != (call.group(2) != null)) {
            throw new IllegalArgumentException("'" + text + "': " + (parameterized ? transform + " needs a width, as in "
                + transform + "(16, col)" : transform + " takes only a column"));
        }
        switch (transform) {
            case "identity", "year", "month", "day", "hour", "bucket", "truncate" -> { }
            default -> throw new IllegalArgumentException("'" + text + "': unknown transform " + transform
                + " (identity, year, month, day, hour, bucket, truncate)");
        }
        int parameter = parameterized ? Integer.parseInt(call.group(2)) : 0;
        if (parameterized && parameter <= 0) {
            throw new IllegalArgumentException("'" + text + "': the width must be positive");
        }
        return new PartitionField(transform, call.group(3), parameter);
    }

    /**
     * Parses a comma-separated list of fields; commas inside a transform's parentheses
     * ({@code bucket(16, id)}) do not separate. Empty text is no field.
     */
    public static List<PartitionField> parseAll(String text) {
        List<PartitionField> fields = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ',';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                String field = text.substring(start, i);
                if (!field.isBlank()) {
                    fields.add(parse(field));
                } else if (i < text.length()) {
                    throw new IllegalArgumentException("'" + text + "' has an empty field");
                }
                start = i + 1;
            }
        }
        return fields;
    }

    /** The Iceberg term of this field. */
    public Term term() {
        return switch (transform) {
            case "identity" -> Expressions.ref(column);
            case "year" -> Expressions.year(column);
            case "month" -> Expressions.month(column);
            case "day" -> Expressions.day(column);
            case "hour" -> Expressions.hour(column);
            case "bucket" -> Expressions.bucket(column, parameter);
            case "truncate" -> Expressions.truncate(column, parameter);
            default -> throw new IllegalStateException(transform);
        };
    }

    /** As Iceberg names the transform in a partition spec ({@code day}, {@code bucket[16]}). */
    public String icebergTransform() {
        return switch (transform) {
            case "bucket", "truncate" -> transform + "[" + parameter + "]";
            default -> transform;
        };
    }

    @Override
    public String toString() {
        return transform.equals("identity") ? column
            : transform + "(" + (parameter > 0 ? parameter + ", " : "") + column + ")";
    }
}
