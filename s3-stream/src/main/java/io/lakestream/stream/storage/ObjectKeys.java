package io.lakestream.stream.storage;

/**
 * Names objects in the store. A hashed prefix spreads keys over S3 partitions so that
 * request rates are not capped per prefix.
 */
public final class ObjectKeys {
    private ObjectKeys() {}

    /** The key of the data object with this id. */
    public static String dataObject(long objectId) {
        String hex = String.format("%016x", objectId);
        int spread = (int) ((objectId * 0x9E3779B97F4A7C15L) >>> 48) & 0xfff;
        return String.format("data/%03x/%s", spread, hex);
    }
}
