package io.lakestream.stream.storage;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Collects the body of a ranged GET into one array of the range's length, allocated once.
 * The SDK's {@code AsyncResponseTransformer.toBytes()} grows a stream and then copies it out,
 * allocating about 2.3 times the bytes read (measured in a table topic's read-back), in arrays
 * large enough to be humongous for the G1 collector.
 *
 * <p>Completes with the bytes received, which may be fewer than asked for (S3 shortens a range
 * that runs past the end of the object: the caller checks); fails if more arrive. The SDK
 * calls {@link #prepare} again for each retry, which starts over.
 */
final class RangeBytesTransformer implements AsyncResponseTransformer<GetObjectResponse, ByteBuffer> {
    private final int length;
    private volatile CompletableFuture<ByteBuffer> result;
    private volatile GetObjectResponse response;

    RangeBytesTransformer(int length) {
        this.length = length;
    }

    /** The response of the attempt that completed, for its headers; null before. */
    GetObjectResponse response() {
        return response;
    }

    @Override
    public CompletableFuture<ByteBuffer> prepare() {
        result = new CompletableFuture<>();
        return result;
    }

    @Override
    public void onResponse(GetObjectResponse response) {
        this.response = response;
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        publisher.subscribe(new Filler(new byte[length], result));
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        result.completeExceptionally(error);
    }

    /** Copies each part of the body into the array, in order; reactive-streams calls it serially. */
    private static final class Filler implements Subscriber<ByteBuffer> {
        private final byte[] content;
        private final CompletableFuture<ByteBuffer> result;
        private Subscription subscription;
        private int filled;

        Filler(byte[] content, CompletableFuture<ByteBuffer> result) {
            this.content = content;
            this.result = result;
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ByteBuffer part) {
            int size = part.remaining();
            if (size > content.length - filled) {
                subscription.cancel();
                result.completeExceptionally(new ObjectStorageException("The ranged get returned more than the "
                    + content.length + " bytes asked for"));
                return;
            }
            part.get(content, filled, size);
            filled += size;
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(ByteBuffer.wrap(content, 0, filled).slice());
        }
    }
}
