package io.lakestream.broker.transaction;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.server.util.RequestAndCompletionHandler;

/**
 * The markers waiting to be sent to other brokers, by destination broker, as Kafka's
 * {@code TxnMarkerQueue}s in {@code TransactionMarkerChannelManager}: each {@link #drain} turns
 * everything queued for one broker into one WriteTxnMarkers request, with one marker entry per
 * transaction holding all its partitions, and its answer completes one future per partition
 * (what Kafka's {@code TransactionMarkerRequestCompletionHandler} reads from it). Deciding what
 * to do with an error, and re-resolving the leader for a retry, is the caller's.
 *
 * <p>Thread-safe for {@link #add} from any thread; {@link #drain} and the completion of what it
 * returns run on the marker channel's send thread only.
 */
final class TransactionMarkerQueue {
    /** What identifies one transaction's marker: partitions with equal keys share a marker entry. */
    record Marker(long producerId, short producerEpoch, int coordinatorEpoch, TransactionResult result) {}

    /** Partitions of one marker queued together, each with the future its answer completes. */
    private record Queued(Marker marker, Map<TopicPartition, CompletableFuture<Void>> partitions) {}

    private final Map<Node, Queue<Queued>> byDestination = new ConcurrentHashMap<>();
    private final short transactionVersion;
    private final DistributionSummary partitionsPerRequest;

    TransactionMarkerQueue(short transactionVersion, MeterRegistry registry) {
        this.transactionVersion = transactionVersion;
        this.partitionsPerRequest = DistributionSummary.builder("lakestream.broker.transactions.marker.request.partitions")
            .description("Partitions named by each WriteTxnMarkers request this coordinator sent to another broker;"
                + " its count is the requests sent")
            .register(registry);
    }

    /**
     * Queues {@code marker} for {@code partitions}, all led by {@code destination}; returns one
     * future per partition, completed when that broker answers that the marker is durable there,
     * failed with the error it answered for the partition, or with a {@link DisconnectException}
     * or {@link TimeoutException} if it did not answer.
     */
    Map<TopicPartition, CompletableFuture<Void>> add(Node destination, Marker marker,
                                                     Collection<TopicPartition> partitions) {
        Map<TopicPartition, CompletableFuture<Void>> futures = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            futures.put(tp, new CompletableFuture<>());
        }
        Map<TopicPartition, CompletableFuture<Void>> queued = Collections.unmodifiableMap(futures);
        byDestination.computeIfAbsent(destination, node -> new ConcurrentLinkedQueue<>()).add(new Queued(marker, queued));
        return queued;
    }

    /** Takes everything queued: one request per destination broker with markers waiting. */
    List<RequestAndCompletionHandler> drain(long nowMs) {
        List<RequestAndCompletionHandler> drained = new ArrayList<>();
        byDestination.forEach((destination, queue) -> {
            Map<Marker, Map<TopicPartition, CompletableFuture<Void>>> entries = take(queue);
            if (entries.isEmpty()) {
                return;
            }
            List<WriteTxnMarkersRequest.TxnMarkerEntry> markers = new ArrayList<>();
            int partitions = 0;
            for (Map.Entry<Marker, Map<TopicPartition, CompletableFuture<Void>>> entry : entries.entrySet()) {
                Marker marker = entry.getKey();
                markers.add(new WriteTxnMarkersRequest.TxnMarkerEntry(marker.producerId(), marker.producerEpoch(),
                    marker.coordinatorEpoch(), marker.result(), List.copyOf(entry.getValue().keySet()),
                    transactionVersion));
                partitions += entry.getValue().size();
            }
            partitionsPerRequest.record(partitions);
            drained.add(new RequestAndCompletionHandler(nowMs, destination, new WriteTxnMarkersRequest.Builder(markers),
                response -> complete(response, entries)));
        });
        return drained;
    }

    /**
     * Empties {@code queue} into marker entries. The answer keys errors by producer id and
     * partition, so a second marker of a producer id, or a partition already named, waits in the
     * queue for the next request rather than sharing this one.
     */
    private static Map<Marker, Map<TopicPartition, CompletableFuture<Void>>> take(Queue<Queued> queue) {
        Map<Marker, Map<TopicPartition, CompletableFuture<Void>>> entries = new LinkedHashMap<>();
        Map<Long, Marker> byProducer = new HashMap<>();
        List<Queued> later = new ArrayList<>();
        for (Queued queued; (queued = queue.poll()) != null; ) {
            Marker marker = queued.marker();
            Marker sharing = byProducer.putIfAbsent(marker.producerId(), marker);
            Map<TopicPartition, CompletableFuture<Void>> entry = entries.computeIfAbsent(marker, m -> new LinkedHashMap<>());
            if ((sharing != null && !sharing.equals(marker))
                || queued.partitions().keySet().stream().anyMatch(entry::containsKey)) {
                later.add(queued);
            } else {
                entry.putAll(queued.partitions());
            }
        }
        entries.values().removeIf(Map::isEmpty);
        queue.addAll(later);
        return entries;
    }

    private static void complete(ClientResponse response,
                                 Map<Marker, Map<TopicPartition, CompletableFuture<Void>>> entries) {
        if (response.wasTimedOut()) {
            failAll(entries, new TimeoutException("Broker " + response.destination()
                + " did not answer WriteTxnMarkers in time"));
        } else if (response.wasDisconnected()) {
            failAll(entries, new DisconnectException("Lost the connection to broker " + response.destination()
                + " while it wrote transaction markers"));
        } else if (response.versionMismatch() != null) {
            // Wrapped: an UNSUPPORTED_VERSION answered for a partition drops its marker, this must not.
            failAll(entries, new KafkaException("Broker " + response.destination()
                + " takes no WriteTxnMarkers version this broker sends", response.versionMismatch()));
        } else {
            Map<Long, Map<TopicPartition, Errors>> errors =
                ((WriteTxnMarkersResponse) response.responseBody()).errorsByProducerId();
            entries.forEach((marker, partitions) -> partitions.forEach((tp, written) -> {
                Errors error = errors.getOrDefault(marker.producerId(), Map.of())
                    .getOrDefault(tp, Errors.UNKNOWN_SERVER_ERROR);
                if (error == Errors.NONE) {
                    written.complete(null);
                } else {
                    written.completeExceptionally(error.exception("Broker " + response.destination()
                        + " did not write the marker of producer " + marker.producerId() + " to " + tp + ": "
                        + error.message()));
                }
            }));
        }
    }

    private static void failAll(Map<Marker, Map<TopicPartition, CompletableFuture<Void>>> entries, Throwable error) {
        entries.values().forEach(partitions -> partitions.values().forEach(f -> f.completeExceptionally(error)));
    }
}
