package io.lakestream.table;

/**
 * A partition of a table topic that this broker leads: what the broker tells the
 * {@link TableTopicService}. A new {@code source} object means a new leadership (the worker
 * starts again from the table's offset).
 */
public record LedPartition(TableTopicSettings settings, int partition, PartitionSource source) {}
