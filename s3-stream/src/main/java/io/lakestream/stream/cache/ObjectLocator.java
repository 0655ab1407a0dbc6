package io.lakestream.stream.cache;

import io.lakestream.stream.metadata.ObjectRange;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the objects that hold a stream's offsets. {@code StreamMetadata::getObjects} fits,
 * so does a broker's cached metadata image.
 */
@FunctionalInterface
public interface ObjectLocator {
    /**
     * The objects that hold offsets of {@code [startOffset, endOffset)} of a stream, ordered
     * by offset, at most {@code limit} of them; {@code endOffset = -1} means to the end.
     */
    CompletableFuture<List<ObjectRange>> locate(long streamId, long startOffset, long endOffset, int limit);
}
