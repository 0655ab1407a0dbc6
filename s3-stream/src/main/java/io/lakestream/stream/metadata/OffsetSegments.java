package io.lakestream.stream.metadata;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

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

    /**
     * Checks, stream by stream, that a compaction's output covers exactly the live offsets of
     * its sources.
     *
     * @param sources live offset segments of the source objects, by stream
     * @param output live offset segments of the new objects, by stream
     * @throws StreamMetadataException with {@link MetadataError#OFFSET_NOT_CONTIGUOUS} otherwise
     */
    public static void requireSameCoverage(Map<Long, List<long[]>> sources, Map<Long, List<long[]>> output) {
        Set<Long> streamIds = new TreeSet<>(sources.keySet());
        streamIds.addAll(output.keySet());
        for (long streamId : streamIds) {
            List<long[]> expected = merge(sources.getOrDefault(streamId, List.of()));
            List<long[]> actual = merge(output.getOrDefault(streamId, List.of()));
            if (!same(expected, actual)) {
                throw new StreamMetadataException(MetadataError.OFFSET_NOT_CONTIGUOUS, "compaction output for stream "
                    + streamId + " covers " + describe(actual) + " but its sources cover " + describe(expected));
            }
        }
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
