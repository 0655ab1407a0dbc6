package io.lakestream.broker.handler.txn;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.coordinator.group.GroupCoordinator;

/**
 * AddOffsetsToTxn: adds the group's partition of {@code __consumer_offsets} to the transaction,
 * so that the offsets the producer then commits with TxnOffsetCommit are committed or dropped
 * with it. As Kafka's, it does not ask whether the topic exists or who leads the partition:
 * the group's FindCoordinator creates the topic before its TxnOffsetCommit, and the marker
 * follows the partition's leader when the transaction ends.
 */
public final class AddOffsetsToTxnHandler implements RequestHandler {
    private static final short FIRST_VERSION_WITH_PRODUCER_FENCED = 2;
    private final TransactionCoordinator coordinator;
    private final GroupCoordinator groups;

    public AddOffsetsToTxnHandler(TransactionCoordinator coordinator, GroupCoordinator groups) {
        this.coordinator = coordinator;
        this.groups = groups;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        AddOffsetsToTxnRequestData data = request.body(AddOffsetsToTxnRequest.class).data();
        TopicPartition offsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groups.partitionFor(data.groupId()));
        CompletableFuture<Errors> added = coordinator.addPartitions(data.transactionalId(), data.producerId(),
            data.producerEpoch(), Set.of(offsets));
        return added.thenApply(error -> new AddOffsetsToTxnResponse(new AddOffsetsToTxnResponseData()
            .setErrorCode(TransactionErrors.forVersion(error, request.apiVersion(),
                FIRST_VERSION_WITH_PRODUCER_FENCED).code())));
    }
}
