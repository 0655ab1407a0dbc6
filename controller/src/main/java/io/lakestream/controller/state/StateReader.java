package io.lakestream.controller.state;

/** Point and prefix reads of the controller state: a consistent view, committed or in progress. */
interface StateReader {

    /** The value of {@code key}, or null. */
    byte[] get(Table table, byte[] key);

    /**
     * Visits, in key order, the entries whose key starts with {@code prefix} and is at least
     * {@code from}, until {@code visitor} returns false.
     */
    void scan(Table table, byte[] prefix, byte[] from, EntryVisitor visitor);

    /** The greatest key that starts with {@code prefix} and is at most {@code key}, or null. */
    byte[] floorKey(Table table, byte[] prefix, byte[] key);

    @FunctionalInterface
    interface EntryVisitor {
        /** Returns whether to go on. */
        boolean visit(byte[] key, byte[] value);
    }
}
