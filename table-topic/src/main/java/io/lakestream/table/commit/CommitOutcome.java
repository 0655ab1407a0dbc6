package io.lakestream.table.commit;

import java.util.Map;

/**
 * What a commit did.
 *
 * @param committed the partitions now committed, with the offset the table holds them to
 * @param refused the partitions whose files did not start at the table's offset (another
 *     writer, a previous leader, committed them first), with the table's offset; their files
 *     were deleted and their worker must start again from there
 * @param snapshotId the new snapshot, or -1 if there was nothing to commit
 * @param rows the rows added
 * @param deadLetters the rows added to the dead-letter table
 */
public record CommitOutcome(Map<Integer, Long> committed, Map<Integer, Long> refused, long snapshotId, long rows,
                            long deadLetters, int dataFiles) {

    public static final CommitOutcome NOTHING = new CommitOutcome(Map.of(), Map.of(), -1, 0, 0, 0);

    public CommitOutcome {
        committed = Map.copyOf(committed);
        refused = Map.copyOf(refused);
    }
}
