package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/**
 * DescribeConfigs for topics and this broker, from the local metadata view and this broker's
 * config, answered as Apache Kafka answers it (see {@link ConfigDescriber}). A broker resource
 * named by this node's id lists every broker config; the empty name asks for the cluster-wide
 * dynamic defaults, which Lakestream does not have, so that list is empty, as on a Kafka
 * cluster where none were set.
 */
public final class DescribeConfigsHandler implements RequestHandler {
    private final ClusterViewHolder views;
    private final ConfigDescriber describer;
    private final int nodeId;

    public DescribeConfigsHandler(ClusterViewHolder views, BrokerConfig config) {
        this.views = views;
        this.describer = new ConfigDescriber(config);
        this.nodeId = config.nodeId();
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DescribeConfigsRequestData describe = request.body(DescribeConfigsRequest.class).data();
        DescribeConfigsResponseData data = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : describe.resources()) {
            DescribeConfigsResult result;
            try {
                result = describe(resource, describe);
            } catch (ApiException e) {
                ApiError error = ApiError.fromThrowable(e);
                result = new DescribeConfigsResult().setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
            data.results().add(result.setResourceType(resource.resourceType()).setResourceName(resource.resourceName()));
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(data));
    }

    private DescribeConfigsResult describe(DescribeConfigsResource resource, DescribeConfigsRequestData request) {
        Predicate<String> requested = requestedKeys(resource.configurationKeys());
        DescribeConfigsResult result = new DescribeConfigsResult().setErrorCode(Errors.NONE.code());
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case TOPIC -> {
                Topic.validate(resource.resourceName());
                Optional<TopicView> topic = views.current().topic(resource.resourceName());
                if (topic.isEmpty()) {
                    return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                }
                return result.setConfigs(describer.topic(topic.get().configs(), requested, request.includeSynonyms(),
                    request.includeDocumentation()));
            }
            case BROKER -> {
                if (BrokerResource.isClusterDefault(resource.resourceName())) {
                    return result;
                }
                BrokerResource.requireNode(resource.resourceName(), nodeId);
                return result.setConfigs(describer.broker(requested, request.includeSynonyms(),
                    request.includeDocumentation()));
            }
            default -> throw new InvalidRequestException(type == ConfigResource.Type.UNKNOWN
                ? "Unsupported resource type: " + resource.resourceType()
                : "Lakestream does not support " + type + " configs");
        }
    }

    /** All keys for a null or empty list, as in Kafka. */
    private static Predicate<String> requestedKeys(List<String> keys) {
        if (keys == null || keys.isEmpty()) {
            return key -> true;
        }
        Set<String> set = new HashSet<>(keys);
        return set::contains;
    }
}
