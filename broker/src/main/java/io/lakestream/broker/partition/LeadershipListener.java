package io.lakestream.broker.partition;

/**
 * Told when this broker starts and stops serving a partition it leads, such as the group
 * coordinator, which loads and unloads its state with the partitions of {@code __consumer_offsets}.
 *
 * <p>Called by {@link PartitionManager} under its lock, on the metadata thread or a stream's
 * completion thread, in the order the changes happen; implementations must not block.
 */
public interface LeadershipListener {

    /** {@code log} is open and serving: appends to it go to this broker's stream. */
    void onLeading(PartitionLog log);

    /**
     * {@code log} stops serving here (it moved, its topic was deleted, its stream failed, or the
     * broker is stopping) and is about to close; appends to it will fail from now on.
     */
    void onResigning(PartitionLog log);
}
