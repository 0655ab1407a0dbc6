package io.lakestream.table.rest;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK HTTP server on a small pool of daemon threads of its own, as the broker's REST
 * endpoints (the Iceberg catalog, the schema registry) run. Thread-safe.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final int THREADS = 4;

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves {@code contexts} (path prefix to handler) on {@code host:port} (0 picks a free port).
     *
     * @param name what it serves, for its threads' names and the error of a port that cannot be bound
     */
    public static HttpEndpoint start(String name, String host, int port, Map<String, HttpHandler> contexts) {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "lakestream-" + name.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-") + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
            server.setExecutor(executor);
            contexts.forEach(server::createContext);
            server.start();
            return new HttpEndpoint(server, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("Cannot serve the " + name + " on " + host + ":" + port + ": "
                + e.getMessage(), e);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
