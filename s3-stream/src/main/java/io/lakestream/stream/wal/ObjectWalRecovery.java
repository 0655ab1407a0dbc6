package io.lakestream.stream.wal;

import io.lakestream.stream.storage.ObjectNotFoundException;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorage.ObjectInfo;
import io.lakestream.stream.wal.WalObjectFormat.DecodedObject;
import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds an {@link ObjectWal} from its objects, once, before it accepts appends.
 *
 * <p>Replays record objects in position order from the trim point. Recovery ends at the
 * first of: a gap (the next object does not start where the previous ended: a PUT that
 * failed while a later one succeeded), or damage inside an object (bad header, bad length,
 * CRC mismatch). That point is the <em>cut</em>. Records before the cut that passed their
 * CRC are returned, even from the damaged object; nothing after the cut is.
 *
 * <p>Then the log is made consistent with the cut, so the next append (which starts at the
 * cut) cannot be followed by stale data in a later recovery: objects that start at or after
 * the cut are deleted, and a damaged object that holds intact records before the cut is
 * rewritten with just those. Objects entirely below the trim point are deleted as well (a
 * delete that failed after an earlier trim); that one is best effort.
 *
 * <p>Blocking; used by one thread.
 */
final class ObjectWalRecovery {
    private static final Logger log = LoggerFactory.getLogger(ObjectWalRecovery.class);

    private final ObjectStorage storage;
    private final WalObjectKeys keys;

    ObjectWalRecovery(ObjectStorage storage, WalObjectKeys keys) {
        this.storage = storage;
        this.keys = keys;
    }

    /**
     * What recovery found.
     *
     * @param records the records from the trim point to the cut, in order
     * @param nextPosition where the next append goes (the cut)
     * @param trimPoint the durable trim point
     * @param liveObjects start to end position of each object kept, for later trims
     */
    record RecoveredLog(List<WalRecord> records, long nextPosition, long trimPoint,
                        NavigableMap<Long, Long> liveObjects) {}

    private record StoredObject(String key, long start, long size) {
        long end() {
            return WalObjectFormat.endPosition(start, size);
        }
    }

    RecoveredLog recover() throws IOException {
        long trimPoint = readTrimPoint();
        List<StoredObject> objects = listObjects();

        List<String> belowTrim = new ArrayList<>();
        List<WalRecord> records = new ArrayList<>();
        NavigableMap<Long, Long> live = new TreeMap<>();
        long expected = trimPoint;
        StoredObject damaged = null;
        List<WalRecord> damagedIntactRecords = List.of();
        int index = 0;
        for (; index < objects.size(); index++) {
            StoredObject object = objects.get(index);
            if (object.size() >= WalObjectFormat.HEADER_SIZE && object.end() <= trimPoint) {
                belowTrim.add(object.key());
                continue;
            }
            // The first object after the trim point may start before it; every other one
            // must start exactly where the previous one ended.
            boolean contiguous = live.isEmpty() ? object.start() <= expected : object.start() == expected;
            if (!contiguous) {
                log.warn("WAL {}: gap before {}; expected an object at position {}, recovery ends there",
                        keys.prefix(), object.key(), expected);
                break;
            }
            DecodedObject decoded = WalObjectFormat.decodeObject(object.start(), read(object));
            for (WalRecord record : decoded.records()) {
                if (record.position() >= trimPoint) {
                    records.add(record);
                }
            }
            if (!decoded.intact()) {
                log.warn("WAL {}: object {} is damaged ({}); recovery ends at position {}",
                        keys.prefix(), object.key(), decoded.damage(), decoded.endPosition());
                damaged = object;
                damagedIntactRecords = decoded.records();
                expected = Math.max(expected, decoded.endPosition());
                index++;
                break;
            }
            live.put(object.start(), decoded.endPosition());
            expected = decoded.endPosition();
        }
        long cut = expected;

        // Order matters for a crash in the middle: first remove what lies after the cut, then
        // shorten the damaged object. Either way a second recovery finds the same cut.
        List<String> afterCut = new ArrayList<>();
        for (int i = index; i < objects.size(); i++) {
            afterCut.add(objects.get(i).key());
        }
        if (damaged != null && damagedIntactRecords.isEmpty()) {
            afterCut.add(damaged.key());
        }
        if (!afterCut.isEmpty()) {
            await(storage.delete(afterCut), "delete " + afterCut.size() + " objects after the cut at " + cut);
        }
        if (damaged != null && !damagedIntactRecords.isEmpty()) {
            rewriteIntactPrefix(damaged, damagedIntactRecords);
            live.put(damaged.start(), cut);
        }
        if (!belowTrim.isEmpty()) {
            try {
                await(storage.delete(belowTrim), "delete " + belowTrim.size() + " objects below the trim point");
            } catch (IOException e) {
                // Harmless: the trim point hides them, and the next recovery tries again.
                log.warn("{}", e.getMessage());
            }
        }
        return new RecoveredLog(List.copyOf(records), cut, trimPoint, live);
    }

    private long readTrimPoint() throws IOException {
        String key = keys.trimMarkerKey();
        List<ObjectInfo> found = await(storage.list(key), "list the trim marker");
        OptionalLong size = found.stream().filter(o -> o.key().equals(key)).mapToLong(ObjectInfo::size).findFirst();
        if (size.isEmpty()) {
            return 0; // never trimmed
        }
        ByteBuffer marker;
        try {
            marker = await(storage.rangeRead(key, 0, size.getAsLong()), "read the trim marker " + key);
        } catch (IOException e) {
            if (e.getCause() instanceof ObjectNotFoundException) {
                return 0;
            }
            throw e;
        }
        // A marker is written in one PUT, so damage is not a torn write: refuse to guess
        // which records were released.
        return WalObjectFormat.decodeTrimMarker(marker).orElseThrow(() ->
                new IOException("WAL " + keys.prefix() + ": trim marker " + key + " is damaged"));
    }

    private List<StoredObject> listObjects() throws IOException {
        List<StoredObject> objects = new ArrayList<>();
        for (ObjectInfo info : await(storage.list(keys.prefix()), "list objects")) {
            keys.startPositionOf(info.key()).ifPresent(start ->
                    objects.add(new StoredObject(info.key(), start, info.size())));
        }
        objects.sort(Comparator.comparingLong(StoredObject::start));
        return objects;
    }

    private ByteBuffer read(StoredObject object) throws IOException {
        if (object.size() == 0) {
            return ByteBuffer.allocate(0);
        }
        return await(storage.rangeRead(object.key(), 0, object.size()), "read " + object.key());
    }

    private void rewriteIntactPrefix(StoredObject damaged, List<WalRecord> intact) throws IOException {
        List<ByteBuffer> payloads = intact.stream().map(WalRecord::payload).toList();
        await(storage.write(damaged.key(), WalObjectFormat.encodeObject(damaged.start(), payloads)),
                "rewrite the intact records of " + damaged.key());
    }

    private <T> T await(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IOException("WAL " + keys.prefix() + ": could not " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("WAL " + keys.prefix() + ": interrupted while trying to " + what, e);
        }
    }
}
