package io.lakestream.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakestream.broker.KafkaWire;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a client learns about the cluster: the API versions, DescribeCluster, and Metadata of
 * an unknown topic when the servers do not auto-create topics (both are started with
 * {@code auto.create.topics.enable=false}).
 */
class ClusterCompatTest {
    @RegisterExtension
    static final SideBySide servers = new SideBySide("auto.create.topics.enable=false");

    @Test
    void everyApiLakestreamImplementsHasKafkasVersions() throws Exception {
        Map<String, String> lakestream = apiVersions(servers.lakestream());
        Map<String, String> kafka = apiVersions(servers.kafka());
        // A documented difference (ApiVersionsHandler): Produce is listed from v0 for librdkafka, which compresses
        // only if v0 is listed (KAFKA-18659); v0-v2 themselves are refused, as Kafka 4 refuses them.
        assertThat(lakestream.remove(ApiKeys.PRODUCE.name)).isEqualTo("0.." + kafka.get(ApiKeys.PRODUCE.name)
            .substring(kafka.get(ApiKeys.PRODUCE.name).indexOf("..") + 2));
        kafka.keySet().retainAll(lakestream.keySet());
        assertThat(lakestream).as("the versions of the APIs Lakestream implements").isEqualTo(kafka);
        assertThat(lakestream).containsKeys(ApiKeys.FETCH.name, ApiKeys.METADATA.name, ApiKeys.CREATE_TOPICS.name);
    }

    @Test
    void describeClusterShowsTheOneBroker() throws Exception {
        JsonNode kafka = servers.assertSame("DescribeCluster", server -> {
            try (KafkaWire wire = server.connect()) {
                return Observed.json(wire.send(new DescribeClusterRequest.Builder(new DescribeClusterRequestData())));
            }
        });
        assertThat(kafka.at("/brokers/0/brokerId").asInt()).isEqualTo(ApacheKafkaProcess.NODE_ID);
    }

    @Test
    void metadataDoesNotCreateTopicsWhenTheServerDoesNotAllowIt() throws Exception {
        List<JsonNode> kafka = servers.assertSame("metadata of an unknown topic, auto-creation disabled", server -> {
            try (KafkaWire wire = server.connect()) {
                MetadataRequestData asked = new MetadataRequestData().setAllowAutoTopicCreation(true)
                    .setTopics(List.of(new MetadataRequestTopic().setName("cl-not-created")));
                JsonNode first = Observed.json(wire.send(new MetadataRequest.Builder(asked)));
                JsonNode again = Observed.json(wire.send(new MetadataRequest.Builder(asked.duplicate())));
                return List.of(first, again);
            }
        });
        assertThat(kafka.get(1).at("/topics/0/errorCode").asText()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        boolean created = servers.assertSame("topics after the metadata requests", server ->
            server.admin().listTopics().names().get().contains("cl-not-created"));
        assertThat(created).isFalse();
    }

    /** API name to "min..max" as the server advertises it. */
    private static Map<String, String> apiVersions(SideBySide.Server server) throws Exception {
        try (KafkaWire wire = server.connect()) {
            ApiVersionsResponse response = wire.send(new ApiVersionsRequest.Builder().build());
            Map<String, String> versions = new TreeMap<>();
            for (ApiVersion api : response.data().apiKeys()) {
                versions.put(ApiKeys.forId(api.apiKey()).name, api.minVersion() + ".." + api.maxVersion());
            }
            return versions;
        }
    }
}
