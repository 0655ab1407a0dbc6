package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.BootstrapConfiguration;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.PlaintextChannelBuilder;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.LogContext;
import org.apache.kafka.server.util.InterBrokerSendThread;
import org.apache.kafka.server.util.RequestAndCompletionHandler;

/**
 * Sends WriteTxnMarkers to the broker that leads a transaction's partition when that is not
 * this one, as Kafka's {@code TransactionMarkerChannelManager} does: Kafka's
 * {@link NetworkClient} on Kafka's {@link InterBrokerSendThread}, one connection per broker,
 * over the brokers' PLAINTEXT listener (the only one Lakestream has). The other broker writes
 * the marker as it would for Kafka's coordinator; an error in its answer fails the returned
 * future with that error's exception, and the caller decides whether to retry.
 *
 * <p>Thread-safe: {@link #send} from any thread; the network work runs on the
 * {@code lakestream-txn-marker-sender} thread.
 */
final class TransactionMarkerChannel implements AutoCloseable {
    private static final int REQUEST_TIMEOUT_MS = 30_000;
    private static final long RECONNECT_BACKOFF_MS = 50;
    private static final long CONNECTION_SETUP_TIMEOUT_MS = 10_000;
    private static final long CONNECTION_SETUP_TIMEOUT_MAX_MS = 30_000;
    private static final long CONNECTIONS_MAX_IDLE_MS = 600_000;

    private final Time time;
    private final Metrics metrics = new Metrics();
    private final Queue<RequestAndCompletionHandler> unsent = new ConcurrentLinkedQueue<>();
    private final SendThread thread;

    TransactionMarkerChannel(int nodeId, Time time) {
        this.time = time;
        LogContext logContext = new LogContext("[TransactionMarkerChannel broker=" + nodeId + "] ");
        PlaintextChannelBuilder channelBuilder =
            new PlaintextChannelBuilder(ListenerName.forSecurityProtocol(SecurityProtocol.PLAINTEXT));
        channelBuilder.configure(Map.of());
        Selector selector = new Selector(NetworkReceive.UNLIMITED, CONNECTIONS_MAX_IDLE_MS, metrics, time,
            "txn-marker-channel", Map.of(), false, channelBuilder, logContext);
        NetworkClient client = new NetworkClient(selector, new ManualMetadataUpdater(),
            "broker-" + nodeId + "-txn-marker-sender", 1, RECONNECT_BACKOFF_MS, RECONNECT_BACKOFF_MS,
            Selectable.USE_DEFAULT_BUFFER_SIZE, Selectable.USE_DEFAULT_BUFFER_SIZE, REQUEST_TIMEOUT_MS,
            CONNECTION_SETUP_TIMEOUT_MS, CONNECTION_SETUP_TIMEOUT_MAX_MS, time, true, new ApiVersions(), logContext,
            MetadataRecoveryStrategy.NONE, BootstrapConfiguration.DISABLED, false);
        this.thread = new SendThread(client);
        thread.start();
    }

    /**
     * Asks {@code leader} to write the marker to {@code tp}; completes when it answers that
     * the marker is durable, or fails with the error it answered, or with a retriable
     * {@link DisconnectException} or {@link TimeoutException} if it did not answer.
     */
    CompletableFuture<Void> send(ClusterView.BrokerEndpoint leader, TopicPartition tp, long producerId,
                                 short producerEpoch, int coordinatorEpoch, TransactionResult result) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        WriteTxnMarkersRequest.TxnMarkerEntry marker = new WriteTxnMarkersRequest.TxnMarkerEntry(producerId,
            producerEpoch, coordinatorEpoch, result, List.of(tp), TransactionStateLog.LOG_VERSION.featureLevel());
        Node destination = new Node(leader.nodeId(), leader.host(), leader.port(), leader.rack());
        unsent.add(new RequestAndCompletionHandler(time.milliseconds(), destination,
            new WriteTxnMarkersRequest.Builder(List.of(marker)),
            response -> complete(written, response, producerId, tp)));
        thread.wakeup();
        return written;
    }

    private static void complete(CompletableFuture<Void> written, ClientResponse response, long producerId,
                                 TopicPartition tp) {
        if (response.wasTimedOut()) {
            written.completeExceptionally(new TimeoutException("Broker " + response.destination()
                + " did not answer WriteTxnMarkers for " + tp + " in time"));
        } else if (response.wasDisconnected()) {
            written.completeExceptionally(new DisconnectException("Lost the connection to broker "
                + response.destination() + " while writing a marker to " + tp));
        } else if (response.versionMismatch() != null) {
            written.completeExceptionally(response.versionMismatch());
        } else {
            Errors error = ((WriteTxnMarkersResponse) response.responseBody()).errorsByProducerId()
                .getOrDefault(producerId, Map.of()).getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR);
            if (error == Errors.NONE) {
                written.complete(null);
            } else {
                written.completeExceptionally(error.exception("Broker " + response.destination()
                    + " did not write the marker to " + tp + ": " + error.message()));
            }
        }
    }

    @Override
    public void close() {
        try {
            thread.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            metrics.close();
        }
    }

    /**
     * Kafka's send loop: takes the queued requests on each turn and polls the network client;
     * its {@code shutdown} also closes the client.
     */
    private final class SendThread extends InterBrokerSendThread {
        SendThread(NetworkClient client) {
            super("lakestream-txn-marker-sender", client, REQUEST_TIMEOUT_MS, time);
        }

        @Override
        public Collection<RequestAndCompletionHandler> generateRequests() {
            List<RequestAndCompletionHandler> requests = new ArrayList<>();
            for (RequestAndCompletionHandler request; (request = unsent.poll()) != null; ) {
                requests.add(request);
            }
            return requests;
        }
    }
}
