package io.lakestream.table.convert;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * Reads the frame Confluent's serializers put around a value:
 *
 * <pre>
 * offset  size  field
 * 0       1     magic byte, 0
 * 1       4     schema id, big-endian int32 (the registry's global id)
 * 5       ...   Avro: the Avro binary encoding of the value
 *               Protobuf: the message indexes, then the message: a varint count n and n varints,
 *               each zigzag-encoded, the path of the message type in the .proto file (the
 *               index among the file's top-level messages, then among that message's nested
 *               ones, ...); the common case [0] is written as a single 0 (count 0)
 * </pre>
 *
 * Stateless.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC = 0;
    public static final int MAGIC_OFFSET = 0;
    public static final int SCHEMA_ID_OFFSET = 1;
    public static final int PAYLOAD_OFFSET = 5;
    /** A message type nested deeper than this is taken for bad bytes. */
    private static final int MAX_INDEXES = 64;

    private ConfluentWireFormat() {}

    /**
     * A framed value.
     *
     * @param messageIndexes the protobuf message path ([0] for the first message); empty for Avro
     * @param payload the encoded value, positioned at its first byte
     */
    public record Frame(int schemaId, List<Integer> messageIndexes, ByteBuffer payload) {}

    /** The frame of an Avro value. */
    public static Frame avro(ByteBuffer value) throws IncompatibleRecordException {
        ByteBuffer buffer = value.duplicate();
        int id = header(buffer);
        return new Frame(id, List.of(), buffer.slice());
    }

    /** The frame of a protobuf value, message indexes read. */
    public static Frame protobuf(ByteBuffer value) throws IncompatibleRecordException {
        ByteBuffer buffer = value.duplicate();
        int id = header(buffer);
        int count = zigzag(buffer);
        if (count < 0 || count > MAX_INDEXES) {
            throw new IncompatibleRecordException("The value's protobuf message index count " + count
                + " is not valid");
        }
        List<Integer> indexes = new ArrayList<>(Math.max(1, count));
        if (count == 0) {
            indexes.add(0);
        }
        for (int i = 0; i < count; i++) {
            int index = zigzag(buffer);
            if (index < 0) {
                throw new IncompatibleRecordException("The value's protobuf message index " + index + " is negative");
            }
            indexes.add(index);
        }
        return new Frame(id, List.copyOf(indexes), buffer.slice());
    }

    private static int header(ByteBuffer buffer) throws IncompatibleRecordException {
        if (buffer.remaining() < PAYLOAD_OFFSET) {
            throw new IncompatibleRecordException("The value has " + buffer.remaining() + " bytes, fewer than the "
                + PAYLOAD_OFFSET + " of Confluent's wire format header (magic byte and schema id)");
        }
        byte magic = buffer.get();
        if (magic != MAGIC) {
            throw new IncompatibleRecordException("The value does not start with Confluent's magic byte 0 but with "
                + magic);
        }
        return buffer.getInt();
    }

    /** A zigzag varint, as Confluent's protobuf serializer writes the indexes (with Kafka's ByteUtils). */
    private static int zigzag(ByteBuffer buffer) throws IncompatibleRecordException {
        try {
            return ByteUtils.readVarint(buffer);
        } catch (BufferUnderflowException e) {
            throw new IncompatibleRecordException("The value ends inside its protobuf message indexes");
        } catch (IllegalArgumentException e) {
            throw new IncompatibleRecordException("The value's protobuf message indexes are not varints: "
                + e.getMessage());
        }
    }
}
