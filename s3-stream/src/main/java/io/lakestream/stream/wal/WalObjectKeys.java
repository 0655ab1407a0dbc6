package io.lakestream.stream.wal;

import java.util.OptionalLong;

/**
 * Names the objects of one {@link ObjectWal}: {@code <prefix><start position, 20 decimal
 * digits>} for record objects, so that key order is position order, and
 * {@code <prefix>trim-point} for the trim marker. Immutable.
 */
final class WalObjectKeys {
    private static final int POSITION_DIGITS = 20; // Long.MAX_VALUE has 19
    private static final String TRIM_MARKER = "trim-point";

    private final String prefix;

    WalObjectKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    String objectKey(long startPosition) {
        return prefix + String.format("%0" + POSITION_DIGITS + "d", startPosition);
    }

    String trimMarkerKey() {
        return prefix + TRIM_MARKER;
    }

    /** The start position named by {@code key}, or empty if it is not a record object's key. */
    OptionalLong startPositionOf(String key) {
        if (!key.startsWith(prefix) || key.length() != prefix.length() + POSITION_DIGITS) {
            return OptionalLong.empty();
        }
        String digits = key.substring(prefix.length());
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        try {
            return OptionalLong.of(Long.parseLong(digits));
        } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }
}
