package io.lakestream.compat;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * The raw requests of the compat tests, built once here with kafka-clients' own builders, for
 * {@link io.lakestream.broker.KafkaWire#send(org.apache.kafka.common.requests.AbstractRequest.Builder)}
 * (which picks the newest version both sides support). Each asks about one partition, so the
 * answer is easy to compare.
 */
final class Requests {
    /** "No epoch given": the server skips its leader epoch check. */
    static final int NO_EPOCH = RecordBatch.NO_PARTITION_LEADER_EPOCH;

    private Requests() {}

    /**
     * Creates a topic of one replica through the Admin client and returns its id once the
     * broker shows a leader for every partition: Kafka's CreateTopics answers when its
     * controller has committed the topic, a moment before its broker serves the partitions.
     */
    static Uuid createTopic(Admin admin, String name, int partitions, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        AtomicReference<Uuid> topicId = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            TopicDescription topic = admin.describeTopics(List.of(name)).allTopicNames().get().get(name);
            topicId.set(topic.topicId());
            return topic.partitions().size() == partitions
                && topic.partitions().stream().allMatch(partition -> partition.leader() != null);
        });
        return topicId.get();
    }

    /** One uncompressed batch of a record per value, each with its timestamp. */
    static MemoryRecords records(long[] timestamps, byte[]... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamps[i], null, values[i]);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** InitProducerId of an idempotent (not transactional) producer. */
    static InitProducerIdRequest.Builder initProducerId() {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(null)
            .setTransactionTimeoutMs(Integer.MAX_VALUE).setProducerId(-1).setProducerEpoch((short) -1));
    }

    /** One batch of one record of an idempotent producer. */
    static MemoryRecords idempotentRecord(long producerId, short epoch, int sequence) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence,
            new SimpleRecord(1_000, null, ("seq-" + sequence).getBytes()));
    }

    /** Produce with acks=all, the topic named by id (v13+) or, with a zero id, by name. */
    static ProduceRequest.Builder produce(String topic, Uuid topicId, int partition, MemoryRecords records) {
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setTopicId(topicId)
            .setPartitionData(List.of(new PartitionProduceData().setIndex(partition).setRecords(records))));
        return ProduceRequest.builder(new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
            .setTopicData(topics));
    }

    /** A consumer's fetch of one partition that does not wait. */
    static FetchRequest.Builder fetch(String topic, Uuid topicId, int partition, long offset, int currentLeaderEpoch) {
        return FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), 0, 0, Map.of(new TopicPartition(topic, partition),
            new FetchRequest.PartitionData(topicId, offset, -1, 1 << 20, epoch(currentLeaderEpoch))));
    }

    /**
     * A consumer's fetch in a fetch session (KIP-227) that does not wait: {@code offsets} are the
     * partitions (of {@code topic}) added or moved, {@code forgotten} those leaving the session.
     */
    static FetchRequest.Builder sessionFetch(String topic, Uuid topicId, FetchMetadata session,
                                             Map<Integer, Long> offsets, List<Integer> forgotten) {
        return sessionFetch(topic, topicId, session, offsets, forgotten, 0);
    }

    /** {@link #sessionFetch} waiting up to {@code maxWaitMs} for a byte. */
    static FetchRequest.Builder sessionFetch(String topic, Uuid topicId, FetchMetadata session,
                                             Map<Integer, Long> offsets, List<Integer> forgotten, int maxWaitMs) {
        Map<TopicPartition, FetchRequest.PartitionData> partitions = new LinkedHashMap<>();
        offsets.forEach((partition, offset) -> partitions.put(new TopicPartition(topic, partition),
            new FetchRequest.PartitionData(topicId, offset, -1, 1 << 20, Optional.empty())));
        return FetchRequest.Builder.forConsumer(ApiKeys.FETCH.latestVersion(), maxWaitMs, maxWaitMs > 0 ? 1 : 0,
                partitions)
            .metadata(session)
            .removed(forgotten.stream().map(partition -> new TopicIdPartition(topicId, partition, topic)).toList());
    }

    /** ListOffsets of one partition at {@code timestamp} (or one of the special ones: -1 latest, -2 earliest, ...). */
    static ListOffsetsRequest.Builder listOffsets(String topic, int partition, long timestamp, int currentLeaderEpoch) {
        return ListOffsetsRequest.Builder.forConsumer(true, IsolationLevel.READ_UNCOMMITTED, true, true, true, true)
            .setTargetTimes(List.of(new ListOffsetsTopic().setName(topic).setPartitions(List.of(
                new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp)
                    .setCurrentLeaderEpoch(currentLeaderEpoch)))));
    }

    /** OffsetForLeaderEpoch as a consumer asks it after a leader change. */
    static OffsetsForLeaderEpochRequest.Builder offsetForLeaderEpoch(String topic, int partition, int currentLeaderEpoch,
                                                                      int leaderEpoch) {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(new OffsetForLeaderPartition()
            .setPartition(partition).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch))));
        return OffsetsForLeaderEpochRequest.Builder.forConsumer(topics);
    }

    /** DeleteRecords of one partition below {@code offset} (-1: the high watermark). */
    static DeleteRecordsRequest.Builder deleteRecords(String topic, int partition, long offset) {
        return new DeleteRecordsRequest.Builder(new DeleteRecordsRequestData().setTimeoutMs(30_000)
            .setTopics(List.of(new DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                new DeleteRecordsPartition().setPartitionIndex(partition).setOffset(offset))))));
    }

    private static Optional<Integer> epoch(int epoch) {
        return epoch == NO_EPOCH ? Optional.empty() : Optional.of(epoch);
    }
}
