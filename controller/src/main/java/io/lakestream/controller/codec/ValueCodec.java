package io.lakestream.controller.codec;

/** Writes and reads one kind of value; implementations are stateless and thread-safe. */
public interface ValueCodec<T> {
    void write(ByteWriter writer, T value);

    T read(ByteReader reader);
}
