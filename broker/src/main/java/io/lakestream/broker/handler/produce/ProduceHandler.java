package io.lakestream.broker.handler.produce;

import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.Failures;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.AppendResult;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.RecordValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's records to its {@link PartitionLog} and answers once every
 * append is durable in the write-ahead log, for acks=1 and acks=all alike (there are no
 * replicas to wait for). With acks=0 the appends still happen but no response is sent.
 * Each partition fails or succeeds on its own, with the error code Kafka would give, and is
 * counted in the topic's {@link TopicMetrics}. A transactional batch is first checked against
 * its transaction ({@link TransactionCoordinator#verifyPartition}).
 */
public final class ProduceHandler implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProduceHandler.class);
    private final LeaderPartitions partitions;
    private final TopicMetrics metrics;
    /** Checks transactional batches against their transaction; null when verification is off. */
    private final TransactionCoordinator transactions;

    public ProduceHandler(LeaderPartitions partitions, TopicMetrics metrics, TransactionCoordinator transactions) {
        this.partitions = partitions;
        this.metrics = metrics;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ProduceRequest produce = request.body(ProduceRequest.class);
        short acks = produce.acks();
        if (acks != 0 && acks != 1 && acks != -1) {
            return CompletableFuture.completedFuture(produce.getErrorResponse(
                new InvalidRequiredAcksException("acks must be -1, 0 or 1, not " + acks)));
        }
        if (produce.transactionalId() == null && RequestUtils.hasTransactionalRecords(produce)) {
            // As Kafka: transactional records need a transactional id, which the authorizer checks.
            return CompletableFuture.completedFuture(produce.getErrorResponse(
                Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception()));
        }
        ProduceResponseData response = new ProduceResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topic : produce.data().topicData()) {
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                .setName(topic.name())
                .setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            Optional<String> name = topicName(topic);
            for (ProduceRequestData.PartitionProduceData partition : topic.partitionData()) {
                PartitionProduceResponse partitionResponse = new PartitionProduceResponse()
                    .setIndex(partition.index())
                    .setBaseOffset(-1)
                    .setLogAppendTimeMs(RecordBatch.NO_TIMESTAMP)
                    .setLogStartOffset(-1);
                topicResponse.partitionResponses().add(partitionResponse);
                if (name.isEmpty()) {
                    setError(partitionResponse, topic.topicId().equals(Uuid.ZERO_UUID)
                        ? Errors.UNKNOWN_TOPIC_OR_PARTITION.exception()
                        : new UnknownTopicIdException("Unknown topic id " + topic.topicId()));
                    continue;
                }
                if (Topic.isInternal(name.get())) {
                    // As Kafka: only its coordinator writes there; a client's records would
                    // break the coordinator's count of the offsets it wrote.
                    setError(partitionResponse, new InvalidTopicException("Cannot append to internal topic "
                        + name.get()));
                    continue;
                }
                TopicPartition tp = new TopicPartition(name.get(), partition.index());
                MemoryRecords records = (MemoryRecords) partition.records();
                Errors verified = verifyTransaction(produce.transactionalId(), tp, records);
                if (verified != Errors.NONE) {
                    setError(partitionResponse, verified.exception("The transactional batch of "
                        + produce.transactionalId() + " to " + tp + " does not belong to its open transaction"));
                    continue;
                }
                pending.add(append(tp, records, partitionResponse));
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
        if (acks == 0) {
            return all.thenApply(ignored -> null);
        }
        return all.thenApply(ignored -> new ProduceResponse(response));
    }

    /**
     * Kafka's partition verification (KIP-890) for a transactional batch: the partition must be
     * in the producer's open transaction, at the producer's current epoch. Without it a zombie
     * producer's batch could open a transaction nobody will end, or one a fence already aborted.
     * Checked when this broker coordinates the transactional id (always, on a single broker).
     */
    private Errors verifyTransaction(String transactionalId, TopicPartition tp, MemoryRecords records) {
        if (transactions == null || transactionalId == null) {
            return Errors.NONE;
        }
        for (RecordBatch batch : records.batches()) {
            if (batch.isTransactional()) {
                return transactions.verifyPartition(transactionalId, batch.producerId(), batch.producerEpoch(), tp)
                    .orElse(Errors.NONE);
            }
        }
        return Errors.NONE;
    }

    private Optional<String> topicName(ProduceRequestData.TopicProduceData topic) {
        if (!topic.topicId().equals(Uuid.ZERO_UUID)) {
            return Optional.ofNullable(partitions.topicNames().get(topic.topicId()));
        }
        return Optional.ofNullable(topic.name());
    }

    private CompletableFuture<Void> append(TopicPartition topicPartition, MemoryRecords records,
                                           PartitionProduceResponse response) {
        PartitionLog log;
        try {
            log = partitions.leaderLog(topicPartition);
        } catch (RuntimeException e) {
            setError(response, e);
            return CompletableFuture.completedFuture(null);
        }
        TopicMetrics.Topic meters = metrics.topic(topicPartition.topic());
        int bytes = records.sizeInBytes();
        CompletableFuture<AppendResult> appended;
        try {
            appended = log.appendAsLeader(records, AppendOrigin.CLIENT);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((result, error) -> {
            if (error != null) {
                setError(response, error);
                if (response.errorCode() == Errors.UNKNOWN_SERVER_ERROR.code()) {
                    // Not a failure Kafka names: the client only sees UNKNOWN_SERVER_ERROR, so say here what it was.
                    LOG.error("Unexpected error appending to {}", topicPartition, Failures.cause(error));
                }
                if (!unknownLogStart(Failures.cause(error))) {
                    response.setLogStartOffset(log.logStartOffset());
                }
                meters.onProduceError(Errors.forCode(response.errorCode()));
            } else {
                meters.onAppended(bytes, result.duplicate() ? 0 : result.lastOffset() - result.firstOffset() + 1);
                response.setBaseOffset(result.firstOffset())
                    .setLogAppendTimeMs(result.logAppendTimeMs())
                    .setLogStartOffset(result.logStartOffset());
            }
            return null;
        });
    }

    /**
     * Whether Kafka's replica manager answers this append failure with log start offset -1:
     * for a partition it cannot append to and a batch it cannot read. For every other failure
     * (sequence, epoch, timestamp, ...) it answers the partition's log start offset.
     */
    private static boolean unknownLogStart(Throwable cause) {
        return cause instanceof UnknownTopicOrPartitionException || cause instanceof NotLeaderOrFollowerException
            || cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
            || cause instanceof CorruptRecordException || cause instanceof KafkaStorageException
            || cause instanceof UnknownTopicIdException;
    }

    private static void setError(PartitionProduceResponse response, Throwable error) {
        Throwable cause = Failures.cause(error);
        if (cause instanceof RecordValidationException invalid) {
            response.setErrorCode(Errors.forException(invalid.invalidException()).code())
                .setErrorMessage(invalid.invalidException().getMessage());
            invalid.recordErrors().forEach(recordError -> response.recordErrors().add(
                new BatchIndexAndErrorMessage().setBatchIndex(recordError.batchIndex)
                    .setBatchIndexErrorMessage(recordError.message)));
            return;
        }
        Errors code = Errors.forException(cause);
        response.setErrorCode(code.code()).setErrorMessage(cause.getMessage());
    }
}
