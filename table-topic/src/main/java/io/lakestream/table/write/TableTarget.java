package io.lakestream.table.write;

import io.lakestream.table.UpsertMode;
import io.lakestream.table.partition.TablePartitioning;
import java.util.Optional;
import org.apache.iceberg.Table;

/**
 * What a table topic's workers write into: the table, its dead-letter table (null with
 * errors.tolerance=none), its partitioning, and its upsert keys (empty: append only). The
 * tables are shared by the workers of a topic, all on the table-topic thread.
 */
public record TableTarget(Table table, Table deadLetterTable, TablePartitioning partitioning,
                          Optional<UpsertMode> upsert) {}
