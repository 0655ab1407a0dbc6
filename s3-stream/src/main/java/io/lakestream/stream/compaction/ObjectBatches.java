package io.lakestream.stream.compaction;

import io.lakestream.stream.StreamRecordBatch;
import io.lakestream.stream.metadata.ObjectMetadata;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.stream.object.DataBlock;
import io.lakestream.stream.object.DataBlockIndex;
import io.lakestream.stream.object.ObjectReader;
import io.lakestream.stream.storage.ObjectKeys;
import io.lakestream.stream.storage.ObjectStorage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Reads every batch of a committed object, range by range, for compaction. Stateless. */
final class ObjectBatches {
    private ObjectBatches() {}

    /** The batches of each of the object's ranges, in the order of its ranges. */
    static CompletableFuture<List<StreamRecordBatch>> readAll(ObjectStorage storage, ObjectMetadata object) {
        return ObjectReader.open(storage, ObjectKeys.dataObject(object.objectId()), object.objectSize())
            .thenCompose(reader -> {
                List<CompletableFuture<DataBlock>> blocks = new ArrayList<>();
                Set<Long> positions = new HashSet<>();
                for (StreamOffsetRange range : object.ranges()) {
                    for (DataBlockIndex index : reader.find(range.streamId(), range.startOffset(), range.endOffset(),
                        Integer.MAX_VALUE)) {
                        if (positions.add(index.position())) {
                            blocks.add(reader.readBlock(index));
                        }
                    }
                }
                return CompletableFuture.allOf(blocks.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                    List<StreamRecordBatch> batches = new ArrayList<>();
                    for (CompletableFuture<DataBlock> block : blocks) {
                        batches.addAll(block.join().records());
                    }
                    return batches;
                });
            });
    }
}
