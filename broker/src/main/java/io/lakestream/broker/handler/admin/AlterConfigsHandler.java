package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.broker.handler.admin.TopicConfigAlterer.Alteration;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;

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
        List<Alteration> alterations = alter.resources().stream().map(resource -> Alteration.of(
            resource.resourceType(), resource.resourceName(), resource.configs(), AlterableConfig::name,
            config -> config.value() == null, (overrides, effective) -> replace(resource.configs(), overrides)))
            .toList();
        return alterer.alter(alterations, alter.validateOnly(), (type, name, code, message) ->
                new AlterConfigsResourceResponse().setResourceType(type).setResourceName(name).setErrorCode(code)
                    .setErrorMessage(message))
            .thenApply(responses -> new AlterConfigsResponse(new AlterConfigsResponseData().setResponses(responses)));
    }

    /** Every config given is set; every other override is removed. */
    private static Map<String, String> replace(Iterable<AlterableConfig> configs, Map<String, String> overrides) {
        Map<String, String> changes = new HashMap<>();
        configs.forEach(config -> changes.put(config.name(), config.value()));
        overrides.keySet().forEach(key -> changes.putIfAbsent(key, null));
        return changes;
    }
}
