package io.lakestream.table;

import io.lakestream.table.convert.AvroRecordConverter;
import io.lakestream.table.convert.JsonRecordConverter;
import io.lakestream.table.convert.ProtobufRecordConverter;
import io.lakestream.table.convert.RawRecordConverter;
import io.lakestream.table.convert.RecordConverter;
import io.lakestream.table.registry.SchemaLookup;
import java.util.Locale;

/** How record values become columns (lakestream.table.format). */
public enum TableFormat {
    /** Schemaless JSON objects: columns inferred from the data. */
    JSON,
    /** The value's bytes in one column. */
    RAW,
    /** Avro in Confluent's wire format: columns from the registered schema of each value's id. */
    AVRO,
    /** Protobuf in Confluent's wire format: columns from the registered message type of each value. */
    PROTOBUF;

    public static TableFormat parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A converter for one partition worker; {@code schemas} resolves the schema ids of avro and protobuf values. */
    public RecordConverter newConverter(SchemaLookup schemas) {
        return switch (this) {
            case JSON -> new JsonRecordConverter();
            case RAW -> new RawRecordConverter();
            case AVRO -> new AvroRecordConverter(schemas);
            case PROTOBUF -> new ProtobufRecordConverter(schemas);
        };
    }
}
