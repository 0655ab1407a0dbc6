package io.lakestream.table.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import org.apache.iceberg.DataFile;
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
import org.apache.iceberg.util.PropertyUtil;

/**
 * Parquet data files of one table, schema and partition spec, written with Iceberg's
 * {@link FanoutDataWriter}: one open file per table partition, rolled at the table's
 * {@code write.target-file-size-bytes}. File names carry the Kafka partition and a random
 * operation id, so writers never collide. Not thread-safe.
 */
final class RowFileWriter {
    private final Schema schema;
    private final PartitionSpec spec;
    private final FanoutDataWriter<Record> writer;
    private final PartitionKey key;
    private final InternalRecordWrapper wrapper;
    private long rows;

    RowFileWriter(Table table, int kafkaPartition, long taskId) {
        this.schema = table.schema();
        this.spec = table.spec();
        GenericFileWriterFactory factory = new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, kafkaPartition, taskId)
            .format(FileFormat.PARQUET).operationId(UUID.randomUUID().toString()).build();
        long targetBytes = PropertyUtil.propertyAsLong(table.properties(), TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
        this.writer = new FanoutDataWriter<>(factory, files, table.io(), targetBytes);
        this.key = new PartitionKey(spec, schema);
        this.wrapper = new InternalRecordWrapper(schema.asStruct());
    }

    Schema schema() {
        return schema;
    }

    PartitionSpec spec() {
        return spec;
    }

    void write(Record row) {
        key.partition(wrapper.wrap(row));
        writer.write(row, spec, key);
        rows++;
    }

    long rows() {
        return rows;
    }

    /** Closes the open files and returns every file written (none if no row was). */
    List<DataFile> close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the data files of " + spec, e);
        }
        return writer.result().dataFiles();
    }
}
