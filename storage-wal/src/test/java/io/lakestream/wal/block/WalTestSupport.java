package io.lakestream.wal.block;

import io.lakestream.wal.WriteAheadLog.AppendResult;
import io.lakestream.wal.WriteAheadLog.WalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/** Builds record contents and inspects WAL files for the tests. */
final class WalTestSupport {

    private WalTestSupport() {}

    /** An appended record as a test expects to recover it. */
    record Appended(long position, long nextPosition, byte[] payload) {
        static Appended of(AppendResult result, byte[] payload) {
            return new Appended(result.position(), result.nextPosition(), payload);
        }

        @Override
        public String toString() {
            return "record@" + position + "[" + payload.length + " bytes]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Appended other && position == other.position
                    && nextPosition == other.nextPosition && Arrays.equals(payload, other.payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(position) * 31 + Arrays.hashCode(payload);
        }
    }

    /** Deterministic content: the same seed always gives the same bytes. */
    static byte[] payload(long seed, int size) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    static List<Appended> drain(Iterator<WalRecord> records) {
        List<Appended> result = new ArrayList<>();
        records.forEachRemaining(record -> {
            byte[] bytes = new byte[record.payload().remaining()];
            record.payload().duplicate().get(bytes);
            result.add(new Appended(record.position(), record.nextPosition(), bytes));
        });
        return result;
    }

    /** The file offset of a logical position's byte. */
    static long fileOffset(BlockWalConfig config, long position) {
        return WalFile.DATA_REGION_OFFSET + position % config.capacityBytes();
    }

    static void flipBit(Path path, long fileOffset, int bit) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, fileOffset);
            one.put(0, (byte) (one.get(0) ^ (1 << bit)));
            channel.write(one.rewind(), fileOffset);
        }
    }

    static WalHeader readHeaderSlot(Path path, int slot) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(WalHeader.SIZE);
            channel.read(bytes, (long) slot * WalFile.HEADER_SLOT_SIZE);
            return WalHeader.decode(bytes.flip());
        } catch (WalHeader.InvalidHeaderException e) {
            return null;
        }
    }
}
