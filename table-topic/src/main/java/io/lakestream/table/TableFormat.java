package io.lakestream.table;

import io.lakestream.table.convert.JsonRecordConverter;
import io.lakestream.table.convert.RawRecordConverter;
import io.lakestream.table.convert.RecordConverter;
import java.util.Locale;

/** How record values become columns (lakestream.table.format). */
public enum TableFormat {
    /** Schemaless JSON objects: columns inferred from the data. */
    JSON,
    /** The value's bytes in one column. */
    RAW;

    public static TableFormat parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A converter for one partition worker. */
    public RecordConverter newConverter() {
        return this == JSON ? new JsonRecordConverter() : new RawRecordConverter();
    }
}
