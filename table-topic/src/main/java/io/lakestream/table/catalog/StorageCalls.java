package io.lakestream.table.catalog;

import io.lakestream.stream.storage.ObjectNotFoundException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.RuntimeIOException;

/**
 * Waits for an object storage call on behalf of Iceberg's synchronous APIs, and turns its
 * failure into the exceptions Iceberg expects: {@link NotFoundException} for a missing object,
 * {@link RuntimeIOException} for the rest. Stateless.
 */
final class StorageCalls {
    private StorageCalls() {}

    static <T> T await(CompletableFuture<T> call, String what) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeIOException("Interrupted during " + what);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof ObjectNotFoundException notFound) {
                throw new NotFoundException(notFound, "%s: %s", what, notFound.getMessage());
            }
            if (cause instanceof UncheckedIOException io) {
                throw new RuntimeIOException(io.getCause(), "%s failed", what);
            }
            if (cause instanceof RuntimeException runtime && !(cause instanceof CompletionException)) {
                throw new RuntimeIOException(new java.io.IOException(what + " failed: " + runtime.getMessage(),
                    runtime), "%s failed", what);
            }
            throw new RuntimeIOException(new java.io.IOException(cause), "%s failed", what);
        }
    }
}
