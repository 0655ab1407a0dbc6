package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests at the older versions that non-Java clients still send (librdkafka 2.0 asks
 * ListOffsets at v2, kafkajs Metadata at v6), written with {@link KafkaWire} so that the version is
 * exactly the one under test rather than the newest both sides know.
 */
class OlderProtocolVersionsTest {
    private static final String TOPIC = "versions";

    @RegisterExtension
    static final LakestreamServerExtension server = new LakestreamServerExtension();

    @BeforeAll
    static void writeThreeRecords() throws Exception {
        server.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = server.process().producer(Map.of())) {
            for (int i = 0; i < 3; i++) {
                try {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8)))
                        .get();
                } catch (ExecutionException e) {
                    throw new AssertionError("send of record " + i + " failed" + server.process().outputForFailure(), e);
                }
            }
        }
    }

    /** One request at {@code version}, and its response, on a connection of its own. */
    private static AbstractResponse exchange(AbstractRequest.Builder<?> builder, short version) throws IOException {
        return exchange(builder.build(version));
    }

    private static AbstractResponse exchange(AbstractRequest request) throws IOException {
        try (KafkaWire wire = new KafkaWire("127.0.0.1", server.process().port())) {
            return wire.send(request);
        }
    }

    static List<Short> listOffsetsVersions() {
        return ApiKeys.LIST_OFFSETS.allVersions();
    }

    /**
     * Before v4 the response has no leader epoch, and a response that sets one cannot be
     * serialized: the broker used to drop it, and librdkafka waited for it forever.
     */
    @ParameterizedTest
    @MethodSource("listOffsetsVersions")
    void listOffsetsIsAnsweredAtEveryVersion(short version) throws Exception {
        ListOffsetsRequest.Builder builder = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
            .setTargetTimes(List.of(new ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))));

        ListOffsetsResponse response = (ListOffsetsResponse) exchange(builder, version);

        ListOffsetsPartitionResponse partition = response.data().topics().get(0).partitions().get(0);
        assertThat(Errors.forCode(partition.errorCode())).as(() -> "error" + server.log())
            .isEqualTo(Errors.NONE);
        assertThat(partition.offset()).as("latest offset").isEqualTo(3);
        if (version >= 4) {
            assertThat(partition.leaderEpoch()).as("leader epoch").isNotNegative();
        } else {
            assertThat(partition.leaderEpoch()).as("leader epoch, absent before v4").isEqualTo(-1);
        }
    }

    static List<Short> metadataVersions() {
        return ApiKeys.METADATA.allVersions();
    }

    @ParameterizedTest
    @MethodSource("metadataVersions")
    void metadataIsAnsweredAtEveryVersion(short version) throws Exception {
        // The request itself rather than its builder, which refuses to build v0.
        MetadataResponse response = (MetadataResponse) exchange(new MetadataRequest(new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestTopic().setName(TOPIC))).setAllowAutoTopicCreation(true), version));

        assertThat(response.brokers()).extracting(Node::port).containsExactly(server.process().port());
        assertThat(response.topicMetadata()).singleElement().satisfies(topic -> {
            assertThat(topic.error()).isEqualTo(Errors.NONE);
            assertThat(topic.partitionMetadata()).singleElement()
                .satisfies(partition -> assertThat(partition.leaderId).contains(1));
        });
    }

    /**
     * librdkafka enables gzip and snappy only if Produce v0 is listed; Kafka lists it (and refuses
     * v0-v2 when asked), so Lakestream does too. Every other API is listed as kafka-clients has it.
     */
    @Test
    void apiVersionsListsProduceFromVersionZeroLikeKafka() throws Exception {
        ApiVersionsResponse response = (ApiVersionsResponse) exchange(new ApiVersionsRequest.Builder(),
            ApiKeys.API_VERSIONS.latestVersion());

        assertThat(response.data().errorCode()).isZero();
        ApiVersion produce = response.data().apiKeys().find(ApiKeys.PRODUCE.id);
        assertThat(produce.minVersion()).as("oldest Produce version listed").isZero();
        assertThat(produce.maxVersion()).isEqualTo(ApiKeys.PRODUCE.latestVersion());
        for (ApiVersion api : response.data().apiKeys()) {
            if (api.apiKey() != ApiKeys.PRODUCE.id) {
                assertThat(api.minVersion()).as("oldest version of %s", ApiKeys.forId(api.apiKey()))
                    .isEqualTo(ApiKeys.forId(api.apiKey()).oldestVersion());
            }
        }
    }
}
