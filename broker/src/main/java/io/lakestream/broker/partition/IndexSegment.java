package io.lakestream.broker.partition;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.message.AbortedTxn;
import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;

/**
 * One persisted piece of a partition's index, written to the object store so that a broker
 * that opens the partition replays only the batches appended since, not the whole stream.
 *
 * <p>A segment holds the {@link TimeIndex} entries at offsets from {@code previousEndOffset}
 * (or from the index's first entry, for a root segment) up to {@code endOffset}, and, as of
 * {@code endOffset}: the index's running totals, the log start, and the idempotent producers'
 * state in Kafka's own snapshot format. Segments chain back to their predecessor, as Kafka's
 * per-segment index files follow one another; only the newest one's state is used.
 *
 * <p>A segment is named by its end offset and its anchor: the checksum of the last batch
 * below the end. A loader checks that the stream still holds the newest segment's anchor
 * batch before trusting it, and each segment names its predecessor's anchor, so a segment
 * describing data the stream no longer has (a write-ahead log lost with its disk, then the
 * offsets written again) is never part of a chain that is used.
 *
 * <p>The encoding is Kafka's {@link Schema} types behind a version and a CRC32C of the body,
 * the layout of Kafka's producer snapshot files.
 *
 * @param previousEndOffset the end offset of the segment before this one, {@link #ROOT} if none
 * @param previousAnchorChecksum that segment's {@code anchorChecksum}
 * @param endOffset the offset after the last batch this segment covers
 * @param anchorOffset the base offset of the last batch below {@code endOffset}, -1 if none
 * @param anchorChecksum that batch's CRC, as {@link org.apache.kafka.common.record.internal.RecordBatch#checksum()}
 * @param start the log start offset and the position of the batch holding it
 * @param tail the index's running totals at {@code endOffset}
 * @param entries the index entries in this segment's range, in offset order
 * @param producerSnapshot the producers' state at {@code endOffset}, in Kafka's snapshot file format
 * @param abortedTxns every aborted transaction above the log start at {@code endOffset}, oldest
 *     marker first (Kafka's transaction index entries); like the producers', only the newest
 *     segment's are used
 */
record IndexSegment(long previousEndOffset, long previousAnchorChecksum, long endOffset, long anchorOffset, long anchorChecksum,
                    TimeIndex.Start start, TimeIndex.Tail tail, List<TimeIndex.Entry> entries,
                    ByteBuffer producerSnapshot, List<AbortedTxn> abortedTxns) {
    /** {@link #previousEndOffset} of a segment that starts the chain. */
    static final long ROOT = -1;

    /** 2 added the aborted transactions; a segment of version 1 is not read, so its partition is replayed. */
    private static final short VERSION = 2;
    private static final Schema HEADER = new Schema(
        new Field("version", Type.INT16),
        new Field("crc", Type.UNSIGNED_INT32));
    private static final Schema ENTRY = new Schema(
        new Field("offset", Type.INT64),
        new Field("max_timestamp_before", Type.INT64),
        new Field("position", Type.INT64));
    private static final Schema ABORTED_TXN = new Schema(
        new Field("producer_id", Type.INT64),
        new Field("first_offset", Type.INT64),
        new Field("last_offset", Type.INT64),
        new Field("last_stable_offset", Type.INT64));
    private static final Schema BODY = new Schema(
        new Field("previous_end_offset", Type.INT64),
        new Field("previous_anchor_checksum", Type.INT64),
        new Field("end_offset", Type.INT64),
        new Field("anchor_offset", Type.INT64),
        new Field("anchor_checksum", Type.INT64),
        new Field("log_start_offset", Type.INT64),
        new Field("log_start_position", Type.INT64),
        new Field("end_position", Type.INT64),
        new Field("bytes_since_entry", Type.INT64),
        new Field("max_timestamp", Type.INT64),
        new Field("max_timestamp_offset", Type.INT64),
        new Field("max_timestamp_leader_epoch", Type.INT32),
        new Field("entries", new ArrayOf(ENTRY)),
        new Field("producer_snapshot", Type.BYTES),
        new Field("aborted_txns", new ArrayOf(ABORTED_TXN)));
    private static final int HEADER_SIZE = 2 + 4;

    boolean isRoot() {
        return previousEndOffset == ROOT;
    }

    Name name() {
        return new Name(endOffset, anchorChecksum);
    }

    /** The predecessor's name; not meaningful for a root. */
    Name previousName() {
        return new Name(previousEndOffset, previousAnchorChecksum);
    }

    /** What identifies a segment in its stream: its end offset and the checksum of the batch before it. */
    record Name(long endOffset, long anchorChecksum) {}

    /** Whether an entry of this segment is at or before {@code offset}: then no earlier segment is needed for it. */
    boolean hasEntryAtOrBefore(long offset) {
        return !entries.isEmpty() && entries.get(0).offset() <= offset;
    }

    ByteBuffer serialize() {
        Struct body = new Struct(BODY)
            .set("previous_end_offset", previousEndOffset)
            .set("previous_anchor_checksum", previousAnchorChecksum)
            .set("end_offset", endOffset)
            .set("anchor_offset", anchorOffset)
            .set("anchor_checksum", anchorChecksum)
            .set("log_start_offset", start.offset())
            .set("log_start_position", start.position())
            .set("end_position", tail.endPosition())
            .set("bytes_since_entry", tail.bytesSinceEntry())
            .set("max_timestamp", tail.maxTimestamp())
            .set("max_timestamp_offset", tail.maxTimestampOffset())
            .set("max_timestamp_leader_epoch", tail.maxTimestampLeaderEpoch())
            .set("entries", entries.stream().map(entry -> new Struct(ENTRY)
                .set("offset", entry.offset())
                .set("max_timestamp_before", entry.maxTimestampBefore())
                .set("position", entry.position())).toArray())
            .set("producer_snapshot", producerSnapshot.duplicate())
            .set("aborted_txns", abortedTxns.stream().map(txn -> new Struct(ABORTED_TXN)
                .set("producer_id", txn.producerId())
                .set("first_offset", txn.firstOffset())
                .set("last_offset", txn.lastOffset())
                .set("last_stable_offset", txn.lastStableOffset())).toArray());
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE + BODY.sizeOf(body));
        buffer.position(HEADER_SIZE);
        BODY.write(buffer, body);
        buffer.flip();
        HEADER.write(buffer, new Struct(HEADER).set("version", VERSION).set("crc", crc(buffer)));
        buffer.rewind();
        return buffer;
    }

    /** @throws CorruptRecordException if the bytes are not a segment of a known version with a matching CRC */
    static IndexSegment deserialize(ByteBuffer bytes) {
        ByteBuffer buffer = bytes.slice();
        try {
            Struct header = HEADER.read(buffer);
            short version = header.getShort("version");
            if (version != VERSION) {
                throw new CorruptRecordException("Unknown partition index segment version " + version);
            }
            long crc = (Long) header.get("crc");
            if (crc != crc(buffer)) {
                throw new CorruptRecordException("Partition index segment CRC mismatch");
            }
            Struct body = BODY.read(buffer);
            List<TimeIndex.Entry> entries = new ArrayList<>();
            for (Object element : body.getArray("entries")) {
                Struct entry = (Struct) element;
                entries.add(new TimeIndex.Entry(entry.getLong("offset"), entry.getLong("max_timestamp_before"),
                    entry.getLong("position")));
            }
            List<AbortedTxn> abortedTxns = new ArrayList<>();
            for (Object element : body.getArray("aborted_txns")) {
                Struct txn = (Struct) element;
                abortedTxns.add(new AbortedTxn().setProducerId(txn.getLong("producer_id"))
                    .setFirstOffset(txn.getLong("first_offset")).setLastOffset(txn.getLong("last_offset"))
                    .setLastStableOffset(txn.getLong("last_stable_offset")));
            }
            return new IndexSegment(body.getLong("previous_end_offset"), body.getLong("previous_anchor_checksum"),
                body.getLong("end_offset"),
                body.getLong("anchor_offset"), body.getLong("anchor_checksum"),
                new TimeIndex.Start(body.getLong("log_start_offset"), body.getLong("log_start_position")),
                new TimeIndex.Tail(body.getLong("end_position"), body.getLong("bytes_since_entry"),
                    body.getLong("max_timestamp"), body.getLong("max_timestamp_offset"),
                    body.getInt("max_timestamp_leader_epoch")),
                entries, body.getBytes("producer_snapshot"), abortedTxns);
        } catch (org.apache.kafka.common.protocol.types.SchemaException | java.nio.BufferUnderflowException e) {
            throw new CorruptRecordException("Malformed partition index segment: " + e.getMessage());
        }
    }

    /** CRC32C of the body, which starts at {@link #HEADER_SIZE} of {@code buffer} and runs to its limit. */
    private static long crc(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(HEADER_SIZE));
        return crc.getValue();
    }
}
