package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests at the older versions that non-Java clients still send (librdkafka 2.0 asks
 * ListOffsets at v2, kafkajs Metadata at v6), written on a plain socket so that the version is
 * exactly the one under test rather than the newest both sides know.
 */
class OlderProtocolVersionsTest {
    private static final String TOPIC = "versions";

    @TempDir
    static Path dir;
    private static LakestreamProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
            new StringSerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, "v" + i)).get();
            }
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            assertThat(server.stop()).as("exit status after SIGTERM").isIn(0, 143);
        }
    }

    /** One request at {@code version}, and its response, on a connection of its own. */
    private static AbstractResponse exchange(AbstractRequest.Builder<?> builder, short version) throws IOException {
        return exchange(builder.build(version));
    }

    private static AbstractResponse exchange(AbstractRequest request) throws IOException {
        short version = request.version();
        RequestHeader header = new RequestHeader(request.apiKey(), version, "older-versions-test", 1);
        ByteBuffer bytes = request.serializeWithHeader(header);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(15_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(bytes.remaining());
            out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
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
        assertThat(Errors.forCode(partition.errorCode())).as(() -> "error" + server.outputForFailure())
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

        assertThat(response.brokers()).extracting(Node::port).containsExactly(server.port());
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
