package io.lakestream.broker.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.apache.kafka.server.util.RequestAndCompletionHandler;
import org.junit.jupiter.api.Test;

/**
 * The queue the marker channel's send thread drains: markers waiting for one broker leave in one
 * WriteTxnMarkers request, a transaction's partitions in one entry, and the answer completes each
 * partition with its own error. The network client around it is replaced by building the
 * requests and answering them here.
 */
class TransactionMarkerQueueTest {
    private static final Node BROKER_2 = new Node(2, "127.0.0.1", 9192);
    private static final Node BROKER_3 = new Node(3, "127.0.0.1", 9193);
    private static final TransactionMarkerQueue.Marker COMMIT_7 =
        new TransactionMarkerQueue.Marker(7, (short) 0, 3, TransactionResult.COMMIT);
    private static final TransactionMarkerQueue.Marker ABORT_8 =
        new TransactionMarkerQueue.Marker(8, (short) 4, 3, TransactionResult.ABORT);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TransactionMarkerQueue queue = new TransactionMarkerQueue((short) 2, registry);

    @Test
    void markersQueuedForOneBrokerLeaveInOneRequestWithOneEntryPerTransaction() {
        queue.add(BROKER_2, COMMIT_7, List.of(tp(0), tp(1)));
        queue.add(BROKER_2, ABORT_8, List.of(tp(2)));
        queue.add(BROKER_2, COMMIT_7, List.of(tp(3)));
        queue.add(BROKER_3, COMMIT_7, List.of(tp(4)));

        Map<Node, RequestAndCompletionHandler> requests = byDestination(queue.drain(0));

        assertThat(requests).as("one request per destination broker").containsOnlyKeys(BROKER_2, BROKER_3);
        assertThat(partitionsByProducer(requests.get(BROKER_2)))
            .as("marker entries of the request to broker 2: one per transaction, with all its partitions")
            .isEqualTo(Map.of(7L, List.of(tp(0), tp(1), tp(3)), 8L, List.of(tp(2))));
        assertThat(partitionsByProducer(requests.get(BROKER_3))).isEqualTo(Map.of(7L, List.of(tp(4))));
        DistributionSummary sent = registry.get("lakestream.broker.transactions.marker.request.partitions").summary();
        assertThat(sent.count()).as("requests sent").isEqualTo(2);
        assertThat(sent.totalAmount()).as("partitions named by the requests").isEqualTo(5);
        assertThat(queue.drain(0)).as("requests of an emptied queue").isEmpty();
    }

    @Test
    void answerCompletesEachPartitionWithItsOwnError() {
        Map<TopicPartition, CompletableFuture<Void>> committed = queue.add(BROKER_2, COMMIT_7, List.of(tp(0), tp(1)));
        Map<TopicPartition, CompletableFuture<Void>> aborted = queue.add(BROKER_2, ABORT_8, List.of(tp(2), tp(3)));
        RequestAndCompletionHandler request = single(queue.drain(0));

        request.handler.onComplete(answer(request, false, new WriteTxnMarkersResponse(Map.of(
            7L, Map.of(tp(0), Errors.NONE, tp(1), Errors.NOT_LEADER_OR_FOLLOWER),
            8L, Map.of(tp(2), Errors.NONE)))));

        assertThat(committed.get(tp(0))).as("partition answered NONE").isCompleted();
        assertThat(committed.get(tp(1))).as("partition answered NOT_LEADER_OR_FOLLOWER")
            .failsWithin(Duration.ZERO).withThrowableThat()
            .withCauseInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(aborted.get(tp(2))).as("partition of the other transaction answered NONE").isCompleted();
        assertThat(aborted.get(tp(3))).as("partition missing from the answer")
            .failsWithin(Duration.ZERO).withThrowableThat()
            .withCauseInstanceOf(UnknownServerException.class);
    }

    @Test
    void lostConnectionFailsEveryPartitionOfTheRequestRetriably() {
        Map<TopicPartition, CompletableFuture<Void>> committed = queue.add(BROKER_2, COMMIT_7, List.of(tp(0)));
        Map<TopicPartition, CompletableFuture<Void>> aborted = queue.add(BROKER_2, ABORT_8, List.of(tp(1)));
        RequestAndCompletionHandler request = single(queue.drain(0));

        request.handler.onComplete(answer(request, true, null));

        for (CompletableFuture<Void> written : List.of(committed.get(tp(0)), aborted.get(tp(1)))) {
            assertThat(written).failsWithin(Duration.ZERO).withThrowableThat()
                .withCauseInstanceOf(DisconnectException.class);
        }
    }

    @Test
    void secondMarkerOfOneProducerWaitsForTheNextRequest() {
        TransactionMarkerQueue.Marker nextEpoch = new TransactionMarkerQueue.Marker(7, (short) 1, 3,
            TransactionResult.ABORT);
        queue.add(BROKER_2, COMMIT_7, List.of(tp(0)));
        queue.add(BROKER_2, nextEpoch, List.of(tp(1)));

        // The answer keys errors by producer id, so two markers of producer 7 cannot share a request.
        assertThat(partitionsByProducer(single(queue.drain(0)))).isEqualTo(Map.of(7L, List.of(tp(0))));
        RequestAndCompletionHandler next = single(queue.drain(0));
        assertThat(partitionsByProducer(next)).isEqualTo(Map.of(7L, List.of(tp(1))));
        assertThat(build(next).markers().get(0).producerEpoch()).isEqualTo((short) 1);
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition("spread", partition);
    }

    private static Map<Node, RequestAndCompletionHandler> byDestination(List<RequestAndCompletionHandler> requests) {
        Map<Node, RequestAndCompletionHandler> byNode = new HashMap<>();
        requests.forEach(request -> assertThat(byNode.put(request.destination, request))
            .as("second request to " + request.destination).isNull());
        return byNode;
    }

    private static RequestAndCompletionHandler single(List<RequestAndCompletionHandler> requests) {
        assertThat(requests).as("requests drained").hasSize(1);
        return requests.get(0);
    }

    /** Each marker entry of the request as producer id to partitions; fails on two entries of one producer. */
    private static Map<Long, List<TopicPartition>> partitionsByProducer(RequestAndCompletionHandler request) {
        return build(request).markers().stream().collect(Collectors.toMap(WriteTxnMarkersRequest.TxnMarkerEntry::producerId,
            WriteTxnMarkersRequest.TxnMarkerEntry::partitions));
    }

    private static WriteTxnMarkersRequest build(RequestAndCompletionHandler request) {
        return (WriteTxnMarkersRequest) request.request.build(ApiKeys.WRITE_TXN_MARKERS.latestVersion());
    }

    private static ClientResponse answer(RequestAndCompletionHandler request, boolean disconnected,
                                         WriteTxnMarkersResponse body) {
        RequestHeader header = new RequestHeader(ApiKeys.WRITE_TXN_MARKERS,
            ApiKeys.WRITE_TXN_MARKERS.latestVersion(), "test", 1);
        return new ClientResponse(header, request.handler, request.destination.idString(), 0, 0, disconnected, null,
            null, body);
    }
}
