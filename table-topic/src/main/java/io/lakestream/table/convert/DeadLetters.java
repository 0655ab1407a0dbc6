package io.lakestream.table.convert;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The rows of a dead-letter table (errors.tolerance=all): the Kafka columns of a record that
 * could not be converted, its value bytes as they were, and the reason. Stateless.
 */
public final class DeadLetters {
    public static final String VALUE = "value";
    public static final String ERROR = "error";

    public static final Schema SCHEMA = schema();

    private DeadLetters() {}

    private static Schema schema() {
        List<Types.NestedField> fields = new ArrayList<>(KafkaColumns.FIELDS);
        fields.add(Types.NestedField.optional(KafkaColumns.NEXT_ID, VALUE, Types.BinaryType.get()));
        fields.add(Types.NestedField.optional(KafkaColumns.NEXT_ID + 1, ERROR, Types.StringType.get()));
        return new Schema(fields);
    }

    /** The dead-letter row of a failure, in the dead-letter table's {@code schema}. */
    public static Record toRow(RecordConverter.Failure failure, Schema schema) {
        Record row = GenericRecord.create(schema);
        KafkaColumns.fill(row, failure.source());
        row.setField(VALUE, failure.source().value() == null ? null : failure.source().value().duplicate());
        row.setField(ERROR, failure.reason());
        return row;
    }
}
