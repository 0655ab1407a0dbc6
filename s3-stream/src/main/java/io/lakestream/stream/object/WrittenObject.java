package io.lakestream.stream.object;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.nio.ByteBuffer;
import java.util.List;
// TEMPORARY STUB until the format branch merges
public record WrittenObject(ByteBuffer data, List<StreamOffsetRange> ranges, long size) {}
