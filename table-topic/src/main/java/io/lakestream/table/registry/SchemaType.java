package io.lakestream.table.registry;

import com.squareup.wire.schema.Location;
import com.squareup.wire.schema.internal.parser.ProtoFileElement;
import com.squareup.wire.schema.internal.parser.ProtoParser;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The schema languages the registry serves, as Confluent names them. A schema is stored in its
 * canonical text (Avro: the parsed schema printed back; protobuf: Wire's printing of the parsed
 * file), so that the same schema written twice, with other whitespace, gets the same id.
 * JSON Schema is not served. Stateless.
 */
public enum SchemaType {
    AVRO,
    PROTOBUF;

    /** The type a request names ({@code schemaType}); absent means Avro, as in Confluent's API. */
    public static SchemaType parse(String name) throws RegistryException {
        if (name == null || name.isEmpty()) {
            return AVRO;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw RegistryException.invalidSchema("Schema type " + name + " is not served; the types are AVRO and "
                + "PROTOBUF");
        }
    }

    /** The canonical text of {@code text}. */
    public String canonical(String text) throws RegistryException {
        return switch (this) {
            case AVRO -> avro(text).toString();
            case PROTOBUF -> proto(text).toSchema();
        };
    }

    /** An Avro schema parsed. */
    public static Schema avro(String text) throws RegistryException {
        if (text == null) {
            throw RegistryException.invalidSchema("No schema in the request");
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (SchemaParseException | NullPointerException e) {
            throw RegistryException.invalidSchema("Invalid Avro schema: " + e.getMessage());
        }
    }

    /** A .proto file parsed (references to other files are not resolved). */
    public static ProtoFileElement proto(String text) throws RegistryException {
        if (text == null) {
            throw RegistryException.invalidSchema("No schema in the request");
        }
        try {
            return ProtoParser.Companion.parse(Location.get("schema.proto"), text);
        } catch (RuntimeException e) {
            throw RegistryException.invalidSchema("Invalid protobuf schema: " + e.getMessage());
        }
    }
}
