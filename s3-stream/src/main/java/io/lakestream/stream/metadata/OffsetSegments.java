package io.lakestream.stream.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Offset intervals {@code [start, end)} as {@code long[2]}: the arithmetic both metadata
 * implementations use to check that a compaction's output holds exactly its sources' offsets.
 * Stateless.
 */
public final class OffsetSegments {
    private OffsetSegments() {}

    /**
     * Sorts the segments and joins adjacent ones.
     *
     * @throws StreamMetadataException with {@link MetadataError#OFFSET_NOT_CONTIGUOUS} if two overlap
     */
    public static List<long[]> merge(List<long[]> segments) {
        List<long[]> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingLong(s -> s[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] segment : sorted) {
            long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && segment[0] < last[1]) {
                throw new StreamMetadataException(MetadataError.OFFSET_NOT_CONTIGUOUS, "overlapping ranges "
                    + describe(List.of(last)) + " and " + describe(List.of(segment)));
            }
            if (last != null && segment[0] == last[1]) {
                last[1] = segment[1];
            } else {
                merged.add(new long[] {segment[0], segment[1]});
            }
        }
        return merged;
    }

    /** Whether two merged lists cover the same offsets. */
    public static boolean same(List<long[]> a, List<long[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i)[0] != b.get(i)[0] || a.get(i)[1] != b.get(i)[1]) {
                return false;
            }
        }
        return true;
    }

    /** For error messages: {@code [0, 10)[20, 30)}, or {@code nothing}. */
    public static String describe(Collection<long[]> segments) {
        StringBuilder sb = new StringBuilder();
        for (long[] s : segments) {
            sb.append('[').append(s[0]).append(", ").append(s[1]).append(')');
        }
        return sb.length() == 0 ? "nothing" : sb.toString();
    }
}
