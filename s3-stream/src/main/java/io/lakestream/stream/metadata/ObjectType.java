package io.lakestream.stream.metadata;

public enum ObjectType {
    /** Data of many streams from one upload (or one compaction) of one node. */
    STREAM_SET,
    /** Data of one stream. */
    STREAM
}
