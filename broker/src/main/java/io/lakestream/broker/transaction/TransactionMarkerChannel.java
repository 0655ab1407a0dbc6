package io.lakestream.broker.transaction;

import io.lakestream.broker.cluster.ClusterView;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.BootstrapConfiguration;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.PlaintextChannelBuilder;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.LogContext;
import org.apache.kafka.server.util.InterBrokerSendThread;
import org.apache.kafka.server.util.RequestAndCompletionHandler;

/**
 * Sends WriteTxnMarkers to the brokers that lead a transaction's partitions when that is not
 * this one, as Kafka's {@code TransactionMarkerChannelManager} does: Kafka's
 * {@link NetworkClient} on Kafka's {@link InterBrokerSendThread}, one connection per broker,
 * over the brokers' PLAINTEXT listener (the only one Lakestream has). Markers wait in a
 * {@link TransactionMarkerQueue}; each turn of the send thread drains it into one request per
 * destination broker, however many transactions and partitions are waiting for it. The other
 * broker writes the markers as it would for Kafka's coordinator and answers per partition; the
 * caller decides whether an error is retried.
 *
 * <p>Thread-safe: {@link #send} from any thread; draining the queue, the network work and the
 * completion of the returned futures run on the {@code lakestream-txn-marker-sender} thread.
 */
final class TransactionMarkerChannel implements TransactionMarkerSender {
    private static final int REQUEST_TIMEOUT_MS = 30_000;
    private static final long RECONNECT_BACKOFF_MS = 50;
    private static final long CONNECTION_SETUP_TIMEOUT_MS = 10_000;
    private static final long CONNECTION_SETUP_TIMEOUT_MAX_MS = 30_000;
    private static final long CONNECTIONS_MAX_IDLE_MS = 600_000;

    private final Time time;
    private final Metrics metrics = new Metrics();
    private final TransactionMarkerQueue queue;
    private final SendThread thread;

    TransactionMarkerChannel(int nodeId, Time time, MeterRegistry registry) {
        this.time = time;
        this.queue = new TransactionMarkerQueue(TransactionStateLog.LOG_VERSION.featureLevel(), registry);
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
     * Asks {@code leader} to write {@code marker} to {@code partitions}, in the next request to
     * it; returns one future per partition, as {@link TransactionMarkerQueue#add} describes.
     */
    @Override
    public Map<TopicPartition, CompletableFuture<Void>> send(ClusterView.BrokerEndpoint leader,
                                                             TransactionMarkerQueue.Marker marker,
                                                             Collection<TopicPartition> partitions) {
        Map<TopicPartition, CompletableFuture<Void>> written =
            queue.add(new Node(leader.nodeId(), leader.host(), leader.port(), leader.rack()), marker, partitions);
        thread.wakeup();
        return written;
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
     * Kafka's send loop: drains the queue into requests on each turn and polls the network client;
     * its {@code shutdown} also closes the client.
     */
    private final class SendThread extends InterBrokerSendThread {
        SendThread(NetworkClient client) {
            super("lakestream-txn-marker-sender", client, REQUEST_TIMEOUT_MS, time);
        }

        @Override
        public Collection<RequestAndCompletionHandler> generateRequests() {
            return queue.drain(time.milliseconds());
        }
    }
}
