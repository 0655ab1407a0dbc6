package io.lakestream.table.rest;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.UnprocessableEntityException;
import org.apache.iceberg.exceptions.ValidationException;

/** The HTTP status of each failure, as the Iceberg REST spec (and Iceberg's own test adapter) maps them. Stateless. */
final class RestErrors {
    private static final Map<Class<? extends Exception>, Integer> STATUS = new LinkedHashMap<>();

    static {
        STATUS.put(NamespaceNotEmptyException.class, 409);
        STATUS.put(IllegalArgumentException.class, 400);
        STATUS.put(ValidationException.class, 400);
        STATUS.put(NotAuthorizedException.class, 401);
        STATUS.put(ForbiddenException.class, 403);
        STATUS.put(NoSuchNamespaceException.class, 404);
        STATUS.put(NoSuchTableException.class, 404);
        STATUS.put(NoSuchViewException.class, 404);
        STATUS.put(NoSuchIcebergTableException.class, 404);
        STATUS.put(UnsupportedOperationException.class, 406);
        STATUS.put(AlreadyExistsException.class, 409);
        STATUS.put(CommitFailedException.class, 409);
        STATUS.put(UnprocessableEntityException.class, 422);
        STATUS.put(CommitStateUnknownException.class, 500);
    }

    private RestErrors() {}

    static int statusOf(Throwable error) {
        for (Map.Entry<Class<? extends Exception>, Integer> entry : STATUS.entrySet()) {
            if (entry.getKey().isInstance(error)) {
                return entry.getValue();
            }
        }
        return 500;
    }
}
