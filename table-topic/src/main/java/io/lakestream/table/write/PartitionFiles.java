package io.lakestream.table.write;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;

/**
 * What a partition worker wrote for the offsets {@code [startOffset, endOffset)}: the data
 * files of the rows, the delete files of upserts and deletes, and the dead-letter files of the
 * records that did not convert. Committing them and the end offset in one snapshot is what
 * makes the table exactly once. Immutable.
 */
public record PartitionFiles(int partition, long startOffset, long endOffset, List<DataFile> dataFiles,
                             List<DeleteFile> deleteFiles, List<DataFile> deadLetterFiles) {

    public PartitionFiles {
        if (endOffset < startOffset) {
            throw new IllegalArgumentException("Partition " + partition + ": end offset " + endOffset
                + " is below start offset " + startOffset);
        }
        dataFiles = List.copyOf(dataFiles);
        deleteFiles = List.copyOf(deleteFiles);
        deadLetterFiles = List.copyOf(deadLetterFiles);
    }

    /** These files followed by {@code next}'s, which must start where these end. */
    public PartitionFiles followedBy(PartitionFiles next) {
        if (next.partition != partition || next.startOffset != endOffset) {
            throw new IllegalArgumentException("Partition " + partition + " files [" + startOffset + ", " + endOffset
                + ") cannot be followed by partition " + next.partition + " [" + next.startOffset + ", "
                + next.endOffset + ")");
        }
        List<DataFile> data = new ArrayList<>(dataFiles);
        data.addAll(next.dataFiles);
        List<DeleteFile> deletes = new ArrayList<>(deleteFiles);
        deletes.addAll(next.deleteFiles);
        List<DataFile> deadLetters = new ArrayList<>(deadLetterFiles);
        deadLetters.addAll(next.deadLetterFiles);
        return new PartitionFiles(partition, startOffset, next.endOffset, data, deletes, deadLetters);
    }

    public long rowCount() {
        return dataFiles.stream().mapToLong(DataFile::recordCount).sum();
    }

    public long deadLetterCount() {
        return deadLetterFiles.stream().mapToLong(DataFile::recordCount).sum();
    }

    /** The locations of every file, to delete them when the commit is refused. */
    public List<String> locations() {
        List<String> locations = new ArrayList<>();
        dataFiles.forEach(file -> locations.add(file.location()));
        deleteFiles.forEach(file -> locations.add(file.location()));
        deadLetterFiles.forEach(file -> locations.add(file.location()));
        return locations;
    }
}
