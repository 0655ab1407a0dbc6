package io.lakestream.table.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class JsonRecordConverterTest {
    private final JsonRecordConverter converter = new JsonRecordConverter();

    @Test
    void fieldsOfTheFirstRecordsBecomeColumnsAfterTheKafkaColumns() {
        Schema schema = evolve(converter.initialSchema(), List.of(
            "{\"id\": 1, \"name\": \"a\", \"price\": 2.5, \"ok\": true, \"tags\": [\"x\"], \"address\": {\"zip\": \"1\"}}"));

        assertThat(schema.columns().stream().map(Types.NestedField::name)).containsExactly(
            "_kafka_partition", "_kafka_offset", "_kafka_timestamp", "_kafka_key", "_kafka_headers",
            "id", "name", "price", "ok", "tags", "address");
        assertThat(type(schema, "id")).isEqualTo(Types.IntegerType.get());
        assertThat(type(schema, "price")).isEqualTo(Types.DoubleType.get());
        assertThat(type(schema, "tags").asListType().elementType()).isEqualTo(Types.StringType.get());
        assertThat(type(schema, "address").asStructType().field("zip").type()).isEqualTo(Types.StringType.get());
    }

    @Test
    void aNewFieldAddsAColumnAndLargerIntegersWidenToLong() {
        Schema schema = evolve(converter.initialSchema(), List.of("{\"id\": 1}"));
        schema = evolve(schema, List.of("{\"id\": 5000000000, \"color\": \"red\", \"nested\": {\"a\": 1}}",
            "{\"nested\": {\"b\": 2.0}}"));

        assertThat(type(schema, "id")).isEqualTo(Types.LongType.get());
        assertThat(type(schema, "color")).isEqualTo(Types.StringType.get());
        assertThat(type(schema, "nested").asStructType().fields()).extracting(Types.NestedField::name)
            .containsExactly("a", "b");
    }

    @Test
    void aFloatColumnWidensToDoubleAndIntegersFitFractionalColumns() {
        Schema schema = new Schema(Types.NestedField.optional(1, "f", Types.FloatType.get()),
            Types.NestedField.optional(2, "d", Types.DoubleType.get()));
        RecordConverter.Analysis analysis = converter.analyze(records("{\"f\": 3, \"d\": 7}"), schema.asStruct());
        assertThat(analysis.needed()).isSameAs(schema.asStruct());

        analysis = converter.analyze(records("{\"f\": 1.25}"), schema.asStruct());
        assertThat(analysis.needed().field("f").type()).isEqualTo(Types.DoubleType.get());
    }

    @Test
    void incompatibleRecordsAreRefusedWithTheFieldAndTypesNamed() {
        Schema schema = evolve(converter.initialSchema(), List.of("{\"id\": 1, \"name\": \"a\", \"s\": {\"x\": 1}}"));

        RecordConverter.Analysis analysis = converter.analyze(records(
            "{\"id\": 2.5}", "{\"name\": 7}", "{\"s\": [1]}", "not json", "[1, 2]", "{\"_kafka_offset\": 1}",
            "{\"id\": 123456789012345678901234567890}", "{\"id\": 3, \"more\": true}"), schema.asStruct());

        assertThat(analysis.failed()).extracting(RecordConverter.Failure::reason).satisfiesExactly(
            reason -> assertThat(reason).contains("Field id is int", "2.5"),
            reason -> assertThat(reason).contains("Field name is string", "number"),
            reason -> assertThat(reason).contains("Field s is struct", "array"),
            reason -> assertThat(reason).contains("not JSON"),
            reason -> assertThat(reason).contains("not an object"),
            reason -> assertThat(reason).contains("_kafka_offset"),
            reason -> assertThat(reason).contains("Field id is int"));
        assertThat(analysis.accepted()).hasSize(1);
        assertThat(analysis.needed().field("more")).isNotNull();
        assertThat(analysis.failed()).extracting(f -> f.source().offset()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void valuesWidenToTheirColumnsAndTextThatIsNotAnObjectIsRefused() {
        List<Types.NestedField> columns = new ArrayList<>(converter.initialSchema().columns());
        columns.add(Types.NestedField.optional(101, "l", Types.LongType.get()));
        columns.add(Types.NestedField.optional(102, "f", Types.FloatType.get()));
        columns.add(Types.NestedField.optional(103, "d", Types.DoubleType.get()));
        Schema schema = new Schema(columns);
        byte[] framed = "xx{\"l\": 4}yy".getBytes(StandardCharsets.UTF_8);
        List<SourceRecord> sources = new ArrayList<>(records("{\"l\": 3, \"f\": 2, \"d\": 1}", "", " ", "{\"l\": 1",
            "{\"l\": [1"));
        sources.add(new SourceRecord(0, 5, -1, null, ByteBuffer.wrap(framed, 2, 10), new Header[0]));

        RecordConverter.Analysis analysis = converter.analyze(sources, schema.asStruct());

        assertThat(analysis.failed()).extracting(RecordConverter.Failure::reason).satisfiesExactly(
            reason -> assertThat(reason).contains("JSON missing, not an object"),
            reason -> assertThat(reason).contains("JSON missing, not an object"),
            reason -> assertThat(reason).contains("not JSON"),
            reason -> assertThat(reason).contains("not JSON"));
        assertThat(analysis.needed()).isSameAs(schema.asStruct());
        Record row = converter.toRow(analysis.accepted().get(0), schema);
        assertThat(row.getField("l")).isEqualTo(3L);
        assertThat(row.getField("f")).isEqualTo(2.0f);
        assertThat(row.getField("d")).isEqualTo(1.0);
        assertThat(converter.toRow(analysis.accepted().get(1), schema).getField("l")).isEqualTo(4L);
    }

    @Test
    void rowsCarryTheValuesAndTheKafkaColumns() {
        Schema schema = evolve(converter.initialSchema(), List.of("{\"id\": 1, \"items\": [{\"sku\": \"a\", \"n\": 2}]}"));
        SourceRecord source = new SourceRecord(3, 42, 1_700_000_000_000L, utf8("k1"), utf8(
            "{\"id\": 7, \"items\": [{\"sku\": \"b\", \"n\": 5}, null]}"),
            new Header[] {new RecordHeader("trace", "t1".getBytes(StandardCharsets.UTF_8))});
        RecordConverter.Analysis analysis = converter.analyze(List.of(source), schema.asStruct());

        Record row = converter.toRow(analysis.accepted().get(0), schema);

        assertThat(row.getField("id")).isEqualTo(7);
        assertThat(row.getField("_kafka_partition")).isEqualTo(3);
        assertThat(row.getField("_kafka_offset")).isEqualTo(42L);
        assertThat(row.getField("_kafka_timestamp")).hasToString("2023-11-14T22:13:20Z");
        assertThat(row.getField("_kafka_key")).isEqualTo(utf8("k1"));
        List<?> headers = (List<?>) row.getField("_kafka_headers");
        assertThat(((Record) headers.get(0)).getField("key")).isEqualTo("trace");
        List<?> items = (List<?>) row.getField("items");
        assertThat(((Record) items.get(0)).getField("sku")).isEqualTo("b");
        assertThat(((Record) items.get(0)).getField("n")).isEqualTo(5);
        assertThat(items.get(1)).isNull();
    }

    @Test
    void aTombstoneIsARowOfOnlyKafkaColumns() {
        Schema schema = evolve(converter.initialSchema(), List.of("{\"id\": 1}"));
        SourceRecord tombstone = new SourceRecord(0, 9, -1, utf8("k"), null, new Header[0]);
        RecordConverter.Analysis analysis = converter.analyze(List.of(tombstone), schema.asStruct());

        Record row = converter.toRow(analysis.accepted().get(0), schema);
        assertThat(row.getField("id")).isNull();
        assertThat(row.getField("_kafka_timestamp")).isNull();
        assertThat(row.getField("_kafka_offset")).isEqualTo(9L);
    }

    /** What a table would do: the needed type with fresh ids, as a commit assigns them. */
    private Schema evolve(Schema schema, List<String> values) {
        RecordConverter.Analysis analysis = converter.analyze(records(values.toArray(String[]::new)), schema.asStruct());
        assertThat(analysis.failed()).isEmpty();
        return TypeUtil.assignFreshIds(new Schema(analysis.needed().fields()), new java.util.concurrent.atomic
            .AtomicInteger(0)::incrementAndGet);
    }

    private static Type type(Schema schema, String name) {
        return schema.findField(name).type();
    }

    private static List<SourceRecord> records(String... values) {
        List<SourceRecord> records = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            records.add(new SourceRecord(0, i, 1000 + i, null, utf8(values[i]), new Header[0]));
        }
        return records;
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
