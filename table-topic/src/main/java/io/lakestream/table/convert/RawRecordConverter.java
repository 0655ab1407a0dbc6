package io.lakestream.table.convert;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Values as bytes (lakestream.table.format=raw): a {@code value} column beside the Kafka
 * columns (the key is {@code _kafka_key}). Every record converts. Stateless.
 */
public final class RawRecordConverter implements RecordConverter {
    public static final String VALUE = "value";

    @Override
    public Schema initialSchema() {
        List<Types.NestedField> fields = new ArrayList<>(KafkaColumns.FIELDS);
        fields.add(Types.NestedField.optional(KafkaColumns.NEXT_ID, VALUE, Types.BinaryType.get()));
        return new Schema(fields);
    }

    @Override
    public Analysis analyze(List<SourceRecord> records, Types.StructType current) {
        List<Parsed> accepted = new ArrayList<>(records.size());
        for (SourceRecord record : records) {
            accepted.add(new Parsed(record, record.value()));
        }
        Types.StructType needed = current.field(VALUE) != null ? current : initialSchema().asStruct();
        return new Analysis(accepted, List.of(), needed);
    }

    @Override
    public Record toRow(Parsed parsed, Schema schema) {
        Record row = GenericRecord.create(schema);
        KafkaColumns.fill(row, parsed.source());
        row.setField(VALUE, parsed.source().value() == null ? null : parsed.source().value().duplicate());
        return row;
    }
}
