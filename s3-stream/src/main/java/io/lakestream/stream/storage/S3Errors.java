package io.lakestream.stream.storage;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Turns SDK failures into the storage layer's exceptions. Stateless. */
final class S3Errors {
    private static final int NOT_FOUND = 404;
    private static final int RANGE_NOT_SATISFIABLE = 416;
    private static final int CONFLICT = 409;
    private static final int PRECONDITION_FAILED = 412;

    private S3Errors() {}

    /**
     * The exception for a failed {@code operation} on {@code key}: an
     * {@link ObjectNotFoundException} for a missing key when {@code missingKeyIsNotFound},
     * otherwise an {@link ObjectStorageException} naming the operation, bucket and key.
     */
    static ObjectStorageException translate(Throwable error, String operation, String bucket,
                                            String key, boolean missingKeyIsNotFound) {
        Throwable cause = unwrap(error);
        if (cause instanceof ObjectStorageException storageException) {
            return storageException;
        }
        String where = "s3://" + bucket + "/" + key;
        if (cause instanceof S3Exception s3) {
            if (missingKeyIsNotFound && isMissingKey(s3)) {
                return new ObjectNotFoundException(key, "s3://" + bucket, s3);
            }
            if (s3.statusCode() == RANGE_NOT_SATISFIABLE) {
                return new ObjectStorageException("S3 " + operation + " of " + where
                        + " failed: the range starts at or past the end of the object", s3);
            }
        }
        return new ObjectStorageException("S3 " + operation + " of " + where + " failed: "
                + (cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
    }

    /** A conditional write refused because the key exists or another conditional write of it is in flight. */
    static boolean isPreconditionFailure(Throwable error) {
        return unwrap(error) instanceof S3Exception s3
                && (s3.statusCode() == PRECONDITION_FAILED || s3.statusCode() == CONFLICT);
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static boolean isMissingKey(S3Exception s3) {
        if (s3 instanceof NoSuchKeyException) {
            return true;
        }
        // HEAD-style 404s carry no error code; a missing bucket is a configuration error.
        String code = s3.awsErrorDetails() != null ? s3.awsErrorDetails().errorCode() : null;
        return s3.statusCode() == NOT_FOUND && !"NoSuchBucket".equals(code);
    }
}
