package io.lakestream.table.write;

import java.net.URL;
import java.util.Set;

/**
 * The context class loader of the threads that write table files. Iceberg's Parquet writer
 * creates a new Hadoop {@code Configuration} for every file it opens, and each one parses
 * Hadoop's default resources ({@code core-default.xml}, and {@code mapred-default.xml} once
 * Parquet has loaded a MapReduce class: 170 KB of XML) from the context class loader of the
 * thread that creates it: 7.5 % of a writer's CPU in TableChunkWriteBenchmark, whose files hold
 * 4 MiB of records. Nothing on the write path reads Hadoop's defaults (the Parquet and Iceberg
 * settings come from the table's properties, with their defaults in code), so this loader hides
 * those resources and delegates everything else to its parent.
 */
public final class WriterClassLoader extends ClassLoader {
    private static final Set<String> HADOOP_DEFAULTS = Set.of("core-default.xml", "core-site.xml",
        "mapred-default.xml", "mapred-site.xml", "hdfs-default.xml", "hdfs-site.xml", "yarn-default.xml",
        "yarn-site.xml");

    public WriterClassLoader(ClassLoader parent) {
        super("lakestream-table-writer", parent);
    }

    @Override
    public URL getResource(String name) {
        return HADOOP_DEFAULTS.contains(name) ? null : super.getResource(name);
    }
}
