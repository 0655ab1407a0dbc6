package io.lakestream.wal.block;

import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads the record frames of a {@link WalFile} forward from the trim point, for recovery,
 * and stops at the first frame that is not a valid continuation of the log.
 *
 * <p>A frame at position {@code p} continues the log only if it stores {@code p} itself
 * (otherwise it is left over from an earlier lap, or never written), its length keeps it
 * inside its lap and inside the capacity, its epoch is not below its predecessor's, and its
 * CRC matches (otherwise the write was torn or the bytes rotted). A lower epoch marks a frame
 * of a group that was not acknowledged before a crash, exposed because the next session
 * overwrote only the start of that group: it must not be resurrected.
 *
 * <p>Used by one thread, before the writer starts.
 */
final class FrameScanner {

    private final WalFile file;
    private final long start;
    private final WalFrame frame = WalFrame.create();
    private final ByteBuffer header = ByteBuffer.allocate(WalFrame.HEADER_SIZE);
    private long position;
    private int lastEpoch;
    private String stopReason;

    /**
     * Scans from {@code start}, the trim point, taking no frame of an epoch below
     * {@code startEpoch} (the header's trim epoch).
     */
    FrameScanner(WalFile file, long start, int startEpoch) {
        this.file = file;
        this.start = start;
        this.position = start;
        this.lastEpoch = startEpoch;
    }

    /** The next record, or {@code null} at the end of the log (see {@link #stopReason()}). */
    WalRecord next() throws IOException {
        while (stopReason == null) {
            if (file.lapRemaining(position) < WalFrame.HEADER_SIZE) {
                // Too small for a frame, even padding: the writer went on at the next lap.
                position = file.nextLapStart(position);
                continue;
            }
            header.clear();
            if (!file.read(header, position)) {
                return stop("the file ends");
            }
            long storedPosition = header.getLong(WalFrame.POSITION_OFFSET);
            int length = header.getInt(WalFrame.LENGTH_OFFSET);
            int epoch = header.getInt(WalFrame.EPOCH_OFFSET);
            byte type = header.get(WalFrame.TYPE_OFFSET);
            if (storedPosition != position) {
                return stop("the frame stores position " + storedPosition);
            }
            long frameSize = WalFrame.HEADER_SIZE + (long) length;
            if (length < 0 || frameSize > file.lapRemaining(position)
                    || position + frameSize - start > file.capacity()) {
                return stop("the frame has an invalid length " + length);
            }
            if (epoch < lastEpoch) {
                return stop("the frame's epoch " + epoch + " is below the previous frame's " + lastEpoch);
            }
            if (type != WalFrame.TYPE_RECORD && type != WalFrame.TYPE_SKIP
                    && !(type == WalFrame.TYPE_PADDING && length == 0)) {
                return stop("the frame has an invalid type " + type);
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            if (!file.read(payload, position + WalFrame.HEADER_SIZE)) {
                return stop("the file ends");
            }
            payload.flip();
            if (!frame.crcMatches(header, payload)) {
                return stop("the frame's CRC does not match");
            }
            lastEpoch = epoch;
            if (type == WalFrame.TYPE_PADDING) {
                position = file.nextLapStart(position);
                continue;
            }
            if (type == WalFrame.TYPE_SKIP) {
                position += frameSize;
                continue;
            }
            long recordPosition = position;
            position += frameSize;
            return new WalRecord(recordPosition, position, payload);
        }
        return null;
    }

    /** Where the scan stopped, once {@link #next()} returned null: the next append's position. */
    long position() {
        return position;
    }

    /** The epoch of the last valid frame read, or the start epoch if none. */
    int lastEpoch() {
        return lastEpoch;
    }

    /** Why the scan stopped at {@link #position()}; null while scanning. */
    String stopReason() {
        return stopReason;
    }

    private WalRecord stop(String reason) {
        stopReason = reason;
        return null;
    }
}
