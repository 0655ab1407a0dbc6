package io.lakestream.table.convert;

import static io.lakestream.table.testing.ConfluentValues.avro;
import static io.lakestream.table.testing.ConfluentValues.framed;
import static org.assertj.core.api.Assertions.assertThat;

import com.squareup.wire.ProtoAdapter;
import com.squareup.wire.schema.CoreLoader;
import com.squareup.wire.schema.ErrorCollector;
import com.squareup.wire.schema.Linker;
import com.squareup.wire.schema.ProtoFile;
import io.lakestream.table.registry.InMemoryRegistryLog;
import io.lakestream.table.registry.SchemaRegistry;
import io.lakestream.table.registry.SchemaType;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okio.ByteString;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** The avro and protobuf formats against a real registry (over an in-memory log). */
class RegistryRecordConverterTest {
    private static final String ORDER_V1 = """
        {"type": "record", "name": "Order", "fields": [
          {"name": "id", "type": "int"},
          {"name": "customer", "type": ["null", "string"], "default": null},
          {"name": "day", "type": {"type": "int", "logicalType": "date"}},
          {"name": "tags", "type": {"type": "array", "items": "string"}},
          {"name": "line", "type": {"type": "record", "name": "Line", "fields": [{"name": "qty", "type": "long"}]}}
        ]}""";
    /** V1 with id widened to long and a new field. */
    private static final String ORDER_V2 = ORDER_V1.replace("{\"name\": \"id\", \"type\": \"int\"}",
        "{\"name\": \"id\", \"type\": \"long\"}, {\"name\": \"price\", \"type\": \"double\", \"default\": 0}");

    private final SchemaRegistry registry = new SchemaRegistry(new InMemoryRegistryLog());

    private static SourceRecord record(long offset, byte[] value) {
        return new SourceRecord(0, offset, 1000L, null, value == null ? null : ByteBuffer.wrap(value), null);
    }

    private static Map<String, Object> order(Object id, Map<String, Object> more) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("id", id, "day", 19000, "tags", List.of("a", "b"),
            "line", Map.of("qty", 3L)));
        fields.putAll(more);
        return fields;
    }

    @Test
    void avroValuesBecomeTypedColumnsAndANewerSchemaAddsAndWidensColumns() throws Exception {
        int v1 = registry.register("orders-value", SchemaType.AVRO, ORDER_V1).id();
        int v2 = registry.register("orders-value", SchemaType.AVRO, ORDER_V2).id();
        AvroRecordConverter converter = new AvroRecordConverter(registry);
        Types.StructType initial = converter.initialSchema().asStruct();

        RecordConverter.Analysis first = converter.analyze(List.of(
            record(0, framed(v1, new byte[0], avro(ORDER_V1, order(7, Map.of("customer", "ann"))))),
            record(1, null)), initial);
        assertThat(first.failed()).isEmpty();
        Types.StructType afterV1 = first.needed();
        assertThat(afterV1.field("id").type()).isEqualTo(Types.IntegerType.get());
        assertThat(afterV1.field("day").type()).isEqualTo(Types.DateType.get());
        assertThat(afterV1.field("line").type().asStructType().field("qty").type()).isEqualTo(Types.LongType.get());

        Record row = converter.toRow(first.accepted().get(0), new org.apache.iceberg.Schema(afterV1.fields()));
        assertThat(row.getField("id")).isEqualTo(7);
        assertThat(row.getField("customer")).isEqualTo("ann");
        assertThat(row.getField("day")).isEqualTo(LocalDate.ofEpochDay(19000));
        assertThat(row.getField("tags")).isEqualTo(List.of("a", "b"));
        assertThat(((Record) row.getField("line")).getField("qty")).isEqualTo(3L);
        assertThat(row.getField("_kafka_offset")).isEqualTo(0L);

        RecordConverter.Analysis second = converter.analyze(List.of(
            record(2, framed(v2, new byte[0], avro(ORDER_V2, order(8L, Map.of("price", 2.5)))))), afterV1);
        assertThat(second.failed()).isEmpty();
        assertThat(second.needed().field("id").type()).as("widened").isEqualTo(Types.LongType.get());
        assertThat(second.needed().field("price").type()).isEqualTo(Types.DoubleType.get());
        Record newer = converter.toRow(second.accepted().get(0), new org.apache.iceberg.Schema(second.needed().fields()));
        assertThat(newer.getField("price")).isEqualTo(2.5);
        assertThat(newer.getField("customer")).isNull();

        RecordConverter.Analysis again = converter.analyze(List.of(
            record(3, framed(v1, new byte[0], avro(ORDER_V1, order(9, Map.of()))))), second.needed());
        assertThat(again.needed()).as("an older schema needs no change").isSameAs(second.needed());
    }

    @Test
    void badFramesUnknownIdsAndUndecodableBytesFailWithTheReason() throws Exception {
        int id = registry.register("orders-value", SchemaType.AVRO, ORDER_V1).id();
        AvroRecordConverter converter = new AvroRecordConverter(registry);
        RecordConverter.Analysis analysis = converter.analyze(List.of(
            record(0, "{\"id\": 1}".getBytes()),
            record(1, framed(99, new byte[0], new byte[] {2})),
            record(2, framed(id, new byte[0], new byte[] {(byte) 0xff}))), converter.initialSchema().asStruct());
        assertThat(analysis.accepted()).isEmpty();
        assertThat(analysis.failed()).extracting(RecordConverter.Failure::reason).satisfiesExactly(
            reason -> assertThat(reason).contains("magic byte"),
            reason -> assertThat(reason).contains("Schema id 99 is not in the schema registry"),
            reason -> assertThat(reason).contains("does not decode with schema " + id));
    }

    private static final String PROTO = """
        syntax = "proto3";
        package shop;
        message Ignored { string x = 1; }
        message Order {
          int64 id = 1;
          string customer = 2;
          repeated string tags = 3;
          Status status = 4;
          map<string, int32> counts = 5;
          bytes blob = 6;
          message Line { uint32 qty = 1; }
          Line line = 7;
        }
        enum Status { NEW = 0; PAID = 1; }
        """;

    @Test
    void protobufValuesOfTheIndexedMessageBecomeTypedColumns() throws Exception {
        int id = registry.register("orders-value", SchemaType.PROTOBUF, PROTO).id();
        com.squareup.wire.schema.Schema schema = new Linker(CoreLoader.INSTANCE, new ErrorCollector(), false, true)
            .link(List.of(ProtoFile.Companion.get(SchemaType.proto(PROTO))));
        ProtoAdapter<Object> adapter = schema.protoAdapter("shop.Order", false);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("id", 42L);
        value.put("customer", "ann");
        value.put("tags", List.of("a", "b"));
        value.put("status", "PAID");
        value.put("counts", Map.of("x", 1));
        value.put("blob", ByteString.of((byte) 1, (byte) 2));
        value.put("line", Map.of("qty", -1));
        byte[] payload = adapter.encode(value);

        ProtobufRecordConverter converter = new ProtobufRecordConverter(registry);
        // Indexes [1]: count 1 (zigzag 2), index 1 (zigzag 2): the second top-level message.
        RecordConverter.Analysis analysis = converter.analyze(List.of(record(0, framed(id, new byte[] {2, 2}, payload)),
            record(1, framed(id, new byte[] {2, 8}, payload))), converter.initialSchema().asStruct());
        assertThat(analysis.failed()).extracting(RecordConverter.Failure::reason)
            .singleElement().asString().contains("no message at indexes [4]");
        Types.StructType type = analysis.needed();
        assertThat(type.field("x")).as("columns of the indexed message only").isNull();
        assertThat(type.field("status").type()).isEqualTo(Types.StringType.get());
        Record row = converter.toRow(analysis.accepted().get(0), new org.apache.iceberg.Schema(type.fields()));
        assertThat(row.getField("id")).isEqualTo(42L);
        assertThat(row.getField("customer")).isEqualTo("ann");
        assertThat(row.getField("tags")).isEqualTo(List.of("a", "b"));
        assertThat(row.getField("status")).isEqualTo("PAID");
        assertThat(row.getField("counts")).isEqualTo(Map.of("x", 1));
        assertThat(row.getField("blob")).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
        assertThat(((Record) row.getField("line")).getField("qty")).as("uint32 keeps its unsigned value")
            .isEqualTo(4294967295L);
    }
}
