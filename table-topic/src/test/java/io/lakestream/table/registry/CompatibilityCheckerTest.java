package io.lakestream.table.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompatibilityCheckerTest {
    private static final String V1 = avro("{\"name\":\"id\",\"type\":\"long\"}");
    /** V1 and a field with a default: readable both ways. */
    private static final String V2_DEFAULT = avro("{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"color\",\"type\":\"string\",\"default\":\"red\"}");
    /** V1 and a field without a default: the new schema cannot read old data. */
    private static final String V2_REQUIRED = avro("{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"color\",\"type\":\"string\"}");
    private static final String ID_AS_STRING = avro("{\"name\":\"id\",\"type\":\"string\",\"default\":\"x\"}");
    private static final String EMPTY = avro("");

    private static String avro(String fields) {
        return "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[" + fields + "]}";
    }

    private static List<String> check(CompatibilityLevel level, String candidate, String... earlier) throws Exception {
        return CompatibilityChecker.check(SchemaType.AVRO, level, candidate, List.of(earlier));
    }

    @Test
    void avroAddingAFieldWithoutADefaultIsNotBackwardButIsForward() throws Exception {
        assertThat(check(CompatibilityLevel.BACKWARD, V2_REQUIRED, V1)).as("BACKWARD").singleElement()
            .asString().contains("READER_FIELD_MISSING_DEFAULT_VALUE", "color");
        assertThat(check(CompatibilityLevel.FORWARD, V2_REQUIRED, V1)).as("FORWARD").isEmpty();
        assertThat(check(CompatibilityLevel.FULL, V2_REQUIRED, V1)).as("FULL").isNotEmpty();
        assertThat(check(CompatibilityLevel.NONE, V2_REQUIRED, V1)).as("NONE").isEmpty();
    }

    @Test
    void avroAddingAFieldWithADefaultIsFullyCompatible() throws Exception {
        assertThat(check(CompatibilityLevel.FULL, V2_DEFAULT, V1)).isEmpty();
    }

    @Test
    void avroRemovingAFieldWithoutADefaultIsBackwardButNotForward() throws Exception {
        assertThat(check(CompatibilityLevel.BACKWARD, EMPTY, V1)).isEmpty();
        assertThat(check(CompatibilityLevel.FORWARD, EMPTY, V1)).isNotEmpty();
    }

    @Test
    void transitiveLevelsCheckEveryEarlierVersionAndTheOthersOnlyTheLatest() throws Exception {
        // id: long -> string is incompatible, but only with version 1.
        assertThat(check(CompatibilityLevel.BACKWARD, ID_AS_STRING, V1, EMPTY)).as("against the latest only").isEmpty();
        assertThat(check(CompatibilityLevel.BACKWARD_TRANSITIVE, ID_AS_STRING, V1, EMPTY)).as("against all")
            .singleElement().asString().contains("TYPE_MISMATCH");
    }

    @Test
    void anInvalidSchemaIsRefusedWithTheInvalidSchemaCode() {
        assertThatThrownBy(() -> check(CompatibilityLevel.BACKWARD, "{\"type\":\"record\"}", V1))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    }

    private static final String PROTO_V1 = """
        syntax = "proto3";
        package shop;
        message Order {
          int64 id = 1;
          string color = 2;
          Line line = 3;
          message Line { int32 quantity = 1; }
        }
        message Customer { string name = 1; }
        """;

    private static List<String> protobuf(CompatibilityLevel level, String candidate, String earlier) throws Exception {
        return CompatibilityChecker.check(SchemaType.PROTOBUF, level, candidate, List.of(earlier));
    }

    @Test
    void protobufAddingAndRenamingFieldsIsCompatible() throws Exception {
        String update = PROTO_V1.replace("string color = 2;", "string colour = 2; double price = 4;")
            .replace("int64 id = 1;", "int32 id = 1;");
        assertThat(protobuf(CompatibilityLevel.FULL_TRANSITIVE, update, PROTO_V1)).isEmpty();
    }

    @Test
    void protobufChangingAFieldNumbersTypeOrRemovingAMessageIsIncompatible() throws Exception {
        assertThat(protobuf(CompatibilityLevel.BACKWARD, PROTO_V1.replace("string color = 2;", "int64 color = 2;"),
            PROTO_V1)).singleElement().asString().contains("FIELD_SCALAR_KIND_CHANGED", "Order.color (2)");
        assertThat(protobuf(CompatibilityLevel.BACKWARD, PROTO_V1.replace("Line line = 3;", "string line = 3;"),
            PROTO_V1)).singleElement().asString().contains("FIELD_KIND_CHANGED");
        assertThat(protobuf(CompatibilityLevel.BACKWARD,
            PROTO_V1.replace("message Customer { string name = 1; }", ""), PROTO_V1))
            .singleElement().asString().contains("MESSAGE_REMOVED: Customer");
        assertThat(protobuf(CompatibilityLevel.FORWARD,
            PROTO_V1.replace("message Customer { string name = 1; }", ""), PROTO_V1)).as("forward: nothing removed")
            .isEmpty();
        assertThat(protobuf(CompatibilityLevel.NONE, PROTO_V1.replace("string color = 2;", "int64 color = 2;"),
            PROTO_V1)).isEmpty();
    }

    @Test
    void protobufAddingOrRemovingARequiredFieldIsIncompatible() throws Exception {
        String v1 = "syntax = \"proto2\"; message A { required int32 a = 1; }";
        String removed = "syntax = \"proto2\"; message A { optional int32 b = 2; }";
        String added = "syntax = \"proto2\"; message A { required int32 a = 1; required int32 b = 2; }";
        assertThat(protobuf(CompatibilityLevel.BACKWARD, removed, v1)).singleElement().asString()
            .contains("REQUIRED_FIELD_REMOVED");
        assertThat(protobuf(CompatibilityLevel.BACKWARD, added, v1)).singleElement().asString()
            .contains("REQUIRED_FIELD_ADDED");
    }

    @Test
    void anInvalidProtoFileIsRefusedWithTheInvalidSchemaCode() {
        assertThatThrownBy(() -> protobuf(CompatibilityLevel.BACKWARD, "message {", PROTO_V1))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(42201));
    }
}
