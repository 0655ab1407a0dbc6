package io.lakestream.controller.command;

import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.codec.ValueCodec;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The binary form of the answer to a command or a query.
 *
 * <pre>
 * +--------+------+-----------+---------------------------------------------------+
 * | offset | size | field     |                                                   |
 * +--------+------+-----------+---------------------------------------------------+
 * | 0      | 1    | errorCode | {@value #NONE} = success, else a code below        |
 * | 1      | ...  | value     | on success: the result, in the command's codec     |
 * |        |      | kafkaCode | on errorCode {@value #CLUSTER_ERROR} only: int16,   |
 * |        |      |           | the {@link Errors} code of the cluster refusal      |
 * |        |      | message   | on error: string (int32 length + UTF-8)            |
 * +--------+------+-----------+---------------------------------------------------+
 *
 * errorCode: 1 STREAM_NOT_FOUND, 2 STREAM_NOT_OPEN, 3 STALE_EPOCH, 4 OFFSET_NOT_CONTIGUOUS,
 *            5 OBJECT_NOT_PREPARED, 6 OBJECT_EXPIRED, 7 OBJECT_NOT_FOUND, 8 INVALID_REQUEST
 *            ({@link StreamMetadataException}s), 9 CLUSTER_ERROR ({@link ClusterMetadataException})
 * </pre>
 *
 * The stream codes are fixed here rather than taken from enum ordinals, so reordering
 * {@link MetadataError} cannot change the wire; Kafka's error codes are fixed by Kafka.
 * Stateless and thread-safe.
 */
public final class ReplyCodec {
    public static final byte NONE = 0;
    public static final byte CLUSTER_ERROR = 9;

    private ReplyCodec() {}

    public static <R> byte[] success(ValueCodec<R> codec, R value) {
        ByteWriter writer = new ByteWriter().writeByte(NONE);
        codec.write(writer, value);
        return writer.toByteArray();
    }

    public static byte[] failure(MetadataError error, String message) {
        return new ByteWriter().writeByte(code(error)).writeString(message).toByteArray();
    }

    public static byte[] failure(Errors error, String message) {
        return new ByteWriter().writeByte(CLUSTER_ERROR).writeShort(error.code()).writeString(message).toByteArray();
    }

    /**
     * The value of a successful reply; a refusal is thrown as the {@link StreamMetadataException}
     * or {@link ClusterMetadataException} it was, with its code and message.
     */
    public static <R> R decode(byte[] reply, ValueCodec<R> codec) {
        ByteReader reader = new ByteReader(reply);
        byte code = reader.readByte();
        if (code == CLUSTER_ERROR) {
            Errors error = Errors.forCode(reader.readShort());
            throw new ClusterMetadataException(error == Errors.NONE ? Errors.UNKNOWN_SERVER_ERROR : error,
                reader.readString());
        }
        if (code != NONE) {
            throw new StreamMetadataException(error(code), reader.readString());
        }
        R value = codec.read(reader);
        reader.expectEnd();
        return value;
    }

    public static byte code(MetadataError error) {
        switch (error) {
            case STREAM_NOT_FOUND:
                return 1;
            case STREAM_NOT_OPEN:
                return 2;
            case STALE_EPOCH:
                return 3;
            case OFFSET_NOT_CONTIGUOUS:
                return 4;
            case OBJECT_NOT_PREPARED:
                return 5;
            case OBJECT_EXPIRED:
                return 6;
            case OBJECT_NOT_FOUND:
                return 7;
            case INVALID_REQUEST:
                return 8;
            default:
                throw new IllegalArgumentException("no code for " + error);
        }
    }

    public static MetadataError error(byte code) {
        for (MetadataError error : MetadataError.values()) {
            if (code(error) == code) {
                return error;
            }
        }
        throw new MalformedDataException("unknown error code " + code);
    }
}
