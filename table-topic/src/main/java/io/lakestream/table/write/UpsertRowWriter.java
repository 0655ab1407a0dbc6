package io.lakestream.table.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.BaseTaskWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Upserts and deletes by the table's id columns (lakestream.table.id.columns), with Iceberg's
 * own equality-delta writer: a row first deletes its key, then is written. The delete is an
 * equality delete, which removes the key's rows of earlier commits, plus a position delete
 * when the key was already written by this writer (an equality delete does not reach rows of
 * its own commit). So a table holds one row per key, as long as each key stays in one Kafka
 * partition (the default partitioner keys by record key): two partitions that write the same
 * key in one commit both keep their row. Not thread-safe.
 */
final class UpsertRowWriter extends BaseTaskWriter<Record> implements RowWriter {
    private final Schema schema;
    private final Schema keySchema;
    private final PartitionKey partitionKey;
    private final InternalRecordWrapper rowWrapper;
    private final InternalRecordWrapper keyWrapper;
    private final Map<PartitionKey, KeyedWriter> writers = new HashMap<>();

    private UpsertRowWriter(Table table, Schema schema, PartitionSpec spec, Schema keySchema,
                            GenericFileWriterFactory factory, OutputFileFactory files, long targetBytes) {
        super(spec, FileFormat.PARQUET, factory, files, table.io(), targetBytes);
        this.schema = schema;
        this.keySchema = keySchema;
        this.partitionKey = new PartitionKey(spec, schema);
        this.rowWrapper = new InternalRecordWrapper(schema.asStruct());
        this.keyWrapper = new InternalRecordWrapper(keySchema.asStruct());
    }

    /**
     * A writer of rows in {@code table}'s {@code schema} and {@code spec} (they may have changed
     * since), keyed by the columns {@code idColumns}; called with the table's lock held.
     */
    static UpsertRowWriter create(Table table, Schema schema, PartitionSpec spec, List<String> idColumns,
                                  int kafkaPartition, long taskId) {
        int[] ids = new int[idColumns.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = schema.findField(idColumns.get(i)).fieldId();
        }
        Schema keySchema = TypeUtil.select(schema, java.util.Arrays.stream(ids).boxed()
            .collect(java.util.stream.Collectors.toSet()));
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET).dataSchema(schema)
            .deleteFileFormat(FileFormat.PARQUET).equalityFieldIds(ids).equalityDeleteRowSchema(keySchema)
            .build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, kafkaPartition, taskId)
            .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
        long targetBytes = PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        return new UpsertRowWriter(table, schema, spec, keySchema, factory, files, targetBytes);
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public PartitionSpec spec() {
        return super.spec();
    }

    @Override
    public void write(Record row) {
        try {
            KeyedWriter writer = route(row);
            writer.deleteKey(keyOf(row));
            writer.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot upsert into the files of " + spec(), e);
        }
    }

    @Override
    public void delete(Record row) {
        try {
            route(row).deleteKey(keyOf(row));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete in the files of " + spec(), e);
        }
    }

    private Record keyOf(Record row) {
        Record key = GenericRecord.create(keySchema);
        for (org.apache.iceberg.types.Types.NestedField field : keySchema.columns()) {
            key.setField(field.name(), row.getField(field.name()));
        }
        return key;
    }

    /** The writer of the table partition {@code row} belongs to. */
    private KeyedWriter route(Record row) {
        if (super.spec().isUnpartitioned()) {
            // A null partition, not an empty one: Iceberg's rolling writer then makes data/<file>, not data//<file>.
            return writers.computeIfAbsent(partitionKey, ignored -> new KeyedWriter(null));
        }
        partitionKey.partition(rowWrapper.wrap(row));
        KeyedWriter writer = writers.get(partitionKey);
        if (writer == null) {
            PartitionKey copy = partitionKey.copy();
            writer = new KeyedWriter(copy);
            writers.put(copy, writer);
        }
        return writer;
    }

    @Override
    public WriteResult finish() {
        try {
            return complete();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the files of " + spec(), e);
        }
    }

    /** Closes every table partition's writer, which hands its files to the base class; complete() calls this. */
    @Override
    public void close() throws IOException {
        for (KeyedWriter writer : writers.values()) {
            writer.close();
        }
        writers.clear();
        super.close();
    }

    /** One table partition's data, equality-delete and position-delete files. */
    private final class KeyedWriter extends BaseEqualityDeltaWriter {
        KeyedWriter(StructLike partition) {
            super(partition, schema, keySchema);
        }

        @Override
        protected StructLike asStructLike(Record data) {
            return rowWrapper.copyFor(data);
        }

        @Override
        protected StructLike asStructLikeKey(Record key) {
            return keyWrapper.copyFor(key);
        }
    }
}
