package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.handler.admin.TopicConfigAlterer.Alteration;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiError;

/**
 * The legacy AlterConfigs: a topic's overrides become exactly the configs given, so every
 * override the request leaves out is removed. Broker configs are refused; see
 * {@link TopicConfigAlterer}.
 */
public final class AlterConfigsHandler implements RequestHandler {
    private final TopicConfigAlterer alterer;

    public AlterConfigsHandler(ClusterAdmin admin, ClusterViewHolder views, BrokerConfig config) {
        this.alterer = new TopicConfigAlterer(admin, views, config);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        AlterConfigsRequestData alter = request.body(AlterConfigsRequest.class).data();
        List<AlterConfigsResource> resources = new ArrayList<>(alter.resources());
        List<Alteration> alterations = new ArrayList<>();
        for (AlterConfigsResource resource : resources) {
            List<String> keys = new ArrayList<>();
            List<String> nullValued = new ArrayList<>();
            Map<String, String> replacement = new HashMap<>();
            for (AlterableConfig config : resource.configs()) {
                keys.add(config.name());
                replacement.put(config.name(), config.value());
                if (config.value() == null) {
                    nullValued.add(config.name());
                }
            }
            alterations.add(new Alteration(resource.resourceType(), resource.resourceName(), keys, nullValued,
                (overrides, effective) -> {
                    Map<String, String> changes = new HashMap<>(replacement);
                    overrides.keySet().forEach(key -> changes.putIfAbsent(key, null));
                    return changes;
                }));
        }
        return alterer.alter(alterations, alter.validateOnly()).thenApply(errors -> {
            AlterConfigsResponseData data = new AlterConfigsResponseData();
            for (int i = 0; i < resources.size(); i++) {
                ApiError error = errors.get(i);
                data.responses().add(new AlterConfigsResourceResponse()
                    .setResourceType(resources.get(i).resourceType())
                    .setResourceName(resources.get(i).resourceName())
                    .setErrorCode(error.error().code())
                    .setErrorMessage(error.message()));
            }
            return new AlterConfigsResponse(data);
        });
    }
}
