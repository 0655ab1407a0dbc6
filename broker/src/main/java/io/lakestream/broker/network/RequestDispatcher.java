package io.lakestream.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the requests of one connection to the {@link RequestHandler}, one at a time and in
 * arrival order, and writes their responses back in that same order however their futures
 * complete. Up to {@code maxInFlight} requests may be pipelined; past that the connection
 * stops reading until responses drain, so a client that never reads cannot make the broker
 * buffer without bound.
 *
 * <p>Fetch requests of at most {@code fetchInlineMaxBytes} are handled on the connection's
 * event loop, every other request on the request executor. A fetch of cached data then needs no
 * other thread, where handing it over cost a wake-up of a request thread and another of the
 * loop to write the answer. The fetch handler only looks up caches and takes views of cached
 * batches; reads from the object store complete on its threads. The size bounds the partitions
 * a full fetch names; {@code FetchHandler} sends the reads of a large session back to the
 * request threads. Produce requests stay on the request executor: their validation grows with
 * their records, and handling small ones here too cost more CPU in the end-to-end latency probe.
 *
 * <p>One instance per connection. Its state is touched only on the connection's event loop.
 */
final class RequestDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDispatcher.class);

    private final RequestHandler handler;
    private final Executor requestExecutor;
    private final int maxInFlight;
    private final int maxRequestBytes;
    private final int fetchInlineMaxBytes;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Completes once the handler has been called for the previous request. */
    private CompletableFuture<Void> previousHandled = CompletableFuture.completedFuture(null);

    RequestDispatcher(RequestHandler handler, Executor requestExecutor, int maxInFlight, int maxRequestBytes,
                      int fetchInlineMaxBytes) {
        this.handler = handler;
        this.requestExecutor = requestExecutor;
        this.maxInFlight = maxInFlight;
        this.maxRequestBytes = maxRequestBytes;
        this.fetchInlineMaxBytes = fetchInlineMaxBytes;
    }

    private record Pending(KafkaRequest request, CompletableFuture<AbstractResponse> response) {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        KafkaRequest request = (KafkaRequest) message;
        CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
        pending.add(new Pending(request, response));
        if (pending.size() >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        previousHandled = previousHandled.thenRunAsync(() -> invoke(request, response), executorFor(ctx, request))
            .exceptionally(error -> {
                // The handler was never called, or threw an Error: this request will get no answer, so
                // neither will the later ones. Kafka closes the connection then; the client retries.
                if (!(Failures.cause(error) instanceof RejectedExecutionException)) {
                    LOG.error("Closing the connection from {}: its {} request failed", ctx.channel().remoteAddress(),
                        request.apiKey(), error);
                }
                ReferenceCountUtil.release(request.frame());
                response.complete(null);
                ctx.close();
                return null;
            });
        response.whenComplete((ignored, error) -> ctx.executor().execute(() -> writeCompleted(ctx)));
    }

    private Executor executorFor(ChannelHandlerContext ctx, KafkaRequest request) {
        boolean inline = request.apiKey() == ApiKeys.FETCH && request.sizeBytes() <= fetchInlineMaxBytes;
        return inline ? ctx.executor() : requestExecutor;
    }

    private void invoke(KafkaRequest request, CompletableFuture<AbstractResponse> response) {
        CompletableFuture<AbstractResponse> handled;
        try {
            handled = handler.handle(request);
        } catch (RuntimeException e) {
            handled = CompletableFuture.failedFuture(e);
        }
        handled.whenComplete((answer, error) -> {
            ReferenceCountUtil.release(request.frame());
            if (error == null) {
                response.complete(answer);
            } else {
                response.complete(errorResponse(request, error));
            }
        });
    }

    /** The response Kafka would give for a failure: the request's own error shape and code. */
    private static AbstractResponse errorResponse(KafkaRequest request, Throwable error) {
        Throwable cause = Failures.cause(error);
        if (!(cause instanceof org.apache.kafka.common.errors.ApiException)) {
            LOG.warn("{} request from {} failed", request.apiKey(), request.context().clientId(), cause);
        }
        return request.body().getErrorResponse(cause);
    }

    /** Writes every response at the head of the queue that is ready; later ones wait for them. */
    private void writeCompleted(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().response().isDone()) {
            Pending head = pending.poll();
            AbstractResponse response = head.response().join();
            if (response != null && ctx.channel().isActive()) {
                ByteBuf encoded = encodeOrError(ctx, head.request(), response);
                if (encoded == null) {
                    ctx.close();
                    return;
                }
                ctx.write(encoded);
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < maxInFlight && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * The response, or if it cannot be serialized at the request's version (a handler set a
     * field that version lacks) the request's error response, as Kafka answers a handler that
     * failed; null if even that fails, and the connection must close. Dropping the response
     * instead would leave the client waiting for it until its request timeout.
     */
    private static ByteBuf encodeOrError(ChannelHandlerContext ctx, KafkaRequest request, AbstractResponse response) {
        try {
            return encode(ctx, request, response);
        } catch (RuntimeException e) {
            LOG.error("Cannot serialize the {} v{} response to {}; answering UNKNOWN_SERVER_ERROR instead",
                request.apiKey(), request.apiVersion(), request.context().clientId(), e);
        }
        try {
            return encode(ctx, request, request.body().getErrorResponse(
                new UnknownServerException("The broker could not serialize its response")));
        } catch (RuntimeException e) {
            LOG.error("Closing the connection from {}: no {} v{} response could be serialized",
                ctx.channel().remoteAddress(), request.apiKey(), request.apiVersion(), e);
            return null;
        }
    }

    private static ByteBuf encode(ChannelHandlerContext ctx, KafkaRequest request, AbstractResponse response) {
        try {
            return ByteBufChannel.serialize(ctx.alloc(), request.context().buildResponseSend(response));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot serialize the " + request.apiKey() + " response", e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable error = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (error instanceof TooLongFrameException) {
            LOG.info("Closing connection from {}: request larger than socket.request.max.bytes ({})",
                ctx.channel().remoteAddress(), maxRequestBytes);
        } else if (error instanceof MalformedRequestException) {
            LOG.info("Closing connection: {}", error.getMessage());
        } else if (error instanceof IOException) {
            LOG.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), error.toString());
        } else {
            LOG.warn("Closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), error);
        }
        ctx.close();
    }
}
