package io.lakestream.broker.handler.txn;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn, as Kafka's KafkaApis serves it: v0-3 are a client's one transaction, v4+
 * a batch of transactions (brokers verifying partitions, KIP-890, with verifyOnly). Partitions
 * that cannot join (UNKNOWN_TOPIC_OR_PARTITION: no such partition, or no leader yet) are
 * answered per partition and the rest OPERATION_NOT_ATTEMPTED; otherwise the
 * coordinator adds them all or none, answered once the new state is durable.
 */
public final class AddPartitionsToTxnHandler implements RequestHandler {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private static final short FIRST_BATCHED_VERSION = 4;

    private final TransactionCoordinator coordinator;
    private final ClusterViewHolder views;

    public AddPartitionsToTxnHandler(TransactionCoordinator coordinator, ClusterViewHolder views) {
        this.coordinator = coordinator;
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        short version = request.apiVersion();
        AddPartitionsToTxnRequest add = request.body(AddPartitionsToTxnRequest.class);
        AddPartitionsToTxnRequest normalized = version < FIRST_BATCHED_VERSION ? add.normalizeRequest() : add;
        ClusterView view = views.current();
        List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnTransaction txn : normalized.data().transactions()) {
            results.add(handle(txn, view, version));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            if (version < FIRST_BATCHED_VERSION) {
                return new AddPartitionsToTxnResponse(new AddPartitionsToTxnResponseData()
                    .setResultsByTopicV3AndBelow(results.get(0).join().topicResults()));
            }
            AddPartitionsToTxnResponseData data = new AddPartitionsToTxnResponseData();
            results.forEach(result -> data.resultsByTransaction().add(result.join()));
            return new AddPartitionsToTxnResponse(data);
        });
    }

    private CompletableFuture<AddPartitionsToTxnResult> handle(AddPartitionsToTxnTransaction txn, ClusterView view,
                                                               short version) {
        String transactionalId = version < FIRST_BATCHED_VERSION ? AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID
            : txn.transactionalId();
        Set<TopicPartition> partitions = new HashSet<>(AddPartitionsToTxnRequest.getPartitions(txn.topics()));
        Map<TopicPartition, Errors> refused = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Errors placement = TransactionErrors.placement(view, tp);
            if (placement != Errors.NONE) {
                refused.put(tp, placement);
            }
        }
        if (!refused.isEmpty()) {
            partitions.forEach(tp -> refused.putIfAbsent(tp, Errors.OPERATION_NOT_ATTEMPTED));
            return CompletableFuture.completedFuture(AddPartitionsToTxnResponse.resultForTransaction(transactionalId,
                refused));
        }
        CompletableFuture<Map<TopicPartition, Errors>> errors;
        if (txn.verifyOnly()) {
            Map<TopicPartition, Errors> verified = new HashMap<>();
            for (TopicPartition tp : partitions) {
                verified.put(tp, coordinator.verifyPartition(txn.transactionalId(), txn.producerId(),
                    txn.producerEpoch(), tp).orElse(Errors.NOT_COORDINATOR));
            }
            errors = CompletableFuture.completedFuture(verified);
        } else {
            errors = coordinator.addPartitions(txn.transactionalId(), txn.producerId(), txn.producerEpoch(), partitions)
                .thenApply(error -> {
                    Errors answer = TransactionErrors.forVersion(error, version, FIRST_VERSION_WITH_PRODUCER_FENCED);
                    Map<TopicPartition, Errors> all = new HashMap<>();
                    partitions.forEach(tp -> all.put(tp, answer));
                    return all;
                });
        }
        return errors.thenApply(all -> AddPartitionsToTxnResponse.resultForTransaction(transactionalId, all));
    }
}
