package io.lakestream.table.catalog;

import java.util.Objects;

/**
 * How the URIs in Iceberg metadata map to object keys: a location is {@code root + key}, for
 * example {@code s3://bucket/} + {@code warehouse/orders/data/f.parquet}. The root is what an
 * outside reader (Trino) resolves the same way: {@code s3://<bucket>/} for S3, a
 * {@code file:} URI of the object directory for the local store. Immutable.
 */
public final class ObjectLocations {
    private final String root;

    /** @param root a URI ending with {@code /} */
    public ObjectLocations(String root) {
        Objects.requireNonNull(root, "root");
        if (!root.endsWith("/") || !root.contains(":")) {
            throw new IllegalArgumentException("A location root is a URI ending with '/', not '" + root + "'");
        }
        this.root = root;
    }

    /** The root of an S3 bucket, {@code s3://bucket/}. */
    public static ObjectLocations s3(String bucket) {
        return new ObjectLocations("s3://" + bucket + "/");
    }

    public String root() {
        return root;
    }

    /** The location of an object key. */
    public String locationOf(String key) {
        return root + key;
    }

    /**
     * The object key of a location under the root.
     *
     * @throws IllegalArgumentException for a location elsewhere, which this store cannot reach
     */
    public String keyOf(String location) {
        if (!location.startsWith(root) || location.length() == root.length()) {
            throw new IllegalArgumentException("Location " + location + " is not an object under " + root);
        }
        return location.substring(root.length());
    }

    @Override
    public String toString() {
        return root;
    }
}
