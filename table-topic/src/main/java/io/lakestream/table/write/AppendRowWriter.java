package io.lakestream.table.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.FanoutDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.WriteResult;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Appends rows to Parquet data files of one table, schema and partition spec, with Iceberg's
 * {@link FanoutDataWriter}: one open file per table partition, rolled at the table's
 * {@code write.target-file-size-bytes}. File names carry the Kafka partition and a random
 * operation id, so writers never collide. Not thread-safe; created with the table's lock held
 * (it reads the table's schema, spec and properties, which another worker may be changing).
 */
final class AppendRowWriter implements RowWriter {
    private final Schema schema;
    private final PartitionSpec spec;
    private final FanoutDataWriter<Record> writer;
    private final PartitionKey key;
    private final InternalRecordWrapper wrapper;

    /**
     * @param schema the table's schema the rows have (it may have changed since)
     * @param spec the table's spec then
     * @param writerProperties Parquet settings of these files over the table's ({@link WideColumns})
     */
    AppendRowWriter(Table table, Schema schema, PartitionSpec spec, Map<String, String> writerProperties,
                    int kafkaPartition, long taskId) {
        this.schema = schema;
        this.spec = spec;
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).writerProperties(writerProperties).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, kafkaPartition, taskId)
            .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
        long targetBytes = PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        this.writer = new FanoutDataWriter<>(factory, files, table.io(), targetBytes);
        this.key = new PartitionKey(spec, schema);
        this.wrapper = new InternalRecordWrapper(schema.asStruct());
    }

    @Override
    public Schema schema() {
        return schema;
    }

    @Override
    public PartitionSpec spec() {
        return spec;
    }

    @Override
    public void write(Record row) {
        key.partition(wrapper.wrap(row));
        writer.write(row, spec, key);
    }

    @Override
    public void delete(Record row) {
        throw new UnsupportedOperationException("An append-only table topic has no id columns to delete by");
    }

    @Override
    public WriteResult finish() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the data files of " + spec, e);
        }
        return WriteResult.builder().addDataFiles(writer.result().dataFiles()).build();
    }
}
