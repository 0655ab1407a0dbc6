package io.lakestream.table.convert;

import static org.apache.iceberg.types.Types.NestedField.optional;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.header.Header;

/**
 * The Kafka metadata every row carries, as top-level columns so that SQL reaches them without
 * quoting ({@code offset} is a keyword in Trino): {@code _kafka_partition},
 * {@code _kafka_offset}, {@code _kafka_timestamp} (timestamp with time zone; null if the record
 * has none), {@code _kafka_key} (bytes) and {@code _kafka_headers} (a list of key and value
 * bytes, in record order, since keys may repeat). Stateless.
 */
public final class KafkaColumns {
    public static final String PREFIX = "_kafka_";
    public static final String PARTITION = "_kafka_partition";
    public static final String OFFSET = "_kafka_offset";
    public static final String TIMESTAMP = "_kafka_timestamp";
    public static final String KEY = "_kafka_key";
    public static final String HEADERS = "_kafka_headers";

    private static final Types.StructType HEADER = Types.StructType.of(
        optional(6, "key", Types.StringType.get()),
        optional(7, "value", Types.BinaryType.get()));

    /** The metadata columns with ids 1 to 8 (a new table's schema gets fresh ids anyway). */
    public static final List<Types.NestedField> FIELDS = List.of(
        optional(1, PARTITION, Types.IntegerType.get()),
        optional(2, OFFSET, Types.LongType.get()),
        optional(3, TIMESTAMP, Types.TimestampType.withZone()),
        optional(4, KEY, Types.BinaryType.get()),
        optional(5, HEADERS, Types.ListType.ofOptional(8, HEADER)));

    /** The first id free after the metadata columns. */
    public static final int NEXT_ID = 9;

    private KafkaColumns() {}

    /** Whether a top-level name is one of ours (user fields may not use the prefix). */
    public static boolean isReserved(String name) {
        return name.startsWith(PREFIX);
    }

    /** Sets the metadata columns of {@code row} from {@code source}. */
    public static void fill(Record row, SourceRecord source) {
        row.setField(PARTITION, source.partition());
        row.setField(OFFSET, source.offset());
        row.setField(TIMESTAMP, source.timestamp() < 0 ? null
            : Instant.ofEpochMilli(source.timestamp()).atOffset(ZoneOffset.UTC));
        row.setField(KEY, source.key() == null ? null : source.key().duplicate());
        if (source.headers() != null && source.headers().length > 0) {
            Types.StructType headerType = headerType(row);
            List<Record> headers = new ArrayList<>(source.headers().length);
            for (Header header : source.headers()) {
                Record entry = GenericRecord.create(headerType);
                entry.setField("key", header.key());
                entry.setField("value", header.value() == null ? null : ByteBuffer.wrap(header.value()));
                headers.add(entry);
            }
            row.setField(HEADERS, headers);
        }
    }

    private static Types.StructType headerType(Record row) {
        return row.struct().field(HEADERS).type().asListType().elementType().asStructType();
    }
}
