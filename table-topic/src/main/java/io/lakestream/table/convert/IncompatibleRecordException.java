package io.lakestream.table.convert;

/**
 * A record that cannot become a row of the table: its value does not parse, or a field's type
 * cannot be changed to fit it. The message names the field and both types. Such records go to
 * the dead-letter table (errors.tolerance=all) or stop the partition's sink (none).
 */
public final class IncompatibleRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public IncompatibleRecordException(String message) {
        super(message);
    }
}
