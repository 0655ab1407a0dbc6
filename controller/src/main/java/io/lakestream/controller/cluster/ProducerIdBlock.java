package io.lakestream.controller.cluster;

/** Producer ids {@code [firstId, firstId + size)}, given to one broker and never again to anyone. */
public record ProducerIdBlock(long firstId, int size) {
    public static final int SIZE = 1000;

    public long lastId() {
        return firstId + size - 1;
    }
}
