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
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * IncrementalAlterConfigs of topics: SET and DELETE an override; APPEND to and SUBTRACT from a
 * list config, starting from its override or, without one, from the value in effect (Kafka's
 * controller starts from the declared default, which differs when server.properties sets one).
 * Broker configs are refused; see {@link TopicConfigAlterer}.
 */
public final class IncrementalAlterConfigsHandler implements RequestHandler {
    private final TopicConfigAlterer alterer;

    public IncrementalAlterConfigsHandler(ClusterAdmin admin, ClusterViewHolder views, BrokerConfig config) {
        this.alterer = new TopicConfigAlterer(admin, views, config);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        IncrementalAlterConfigsRequestData alter = request.body(IncrementalAlterConfigsRequest.class).data();
        List<Alteration> alterations = alter.resources().stream().map(resource -> Alteration.of(
            resource.resourceType(), resource.resourceName(), resource.configs(), AlterableConfig::name,
            config -> config.configOperation() != OpType.DELETE.id() && config.value() == null,
            (overrides, effective) -> changes(resource.configs(), overrides, effective))).toList();
        return alterer.alter(alterations, alter.validateOnly(), (type, name, code, message) ->
                new AlterConfigsResourceResponse().setResourceType(type).setResourceName(name).setErrorCode(code)
                    .setErrorMessage(message))
            .thenApply(responses -> new IncrementalAlterConfigsResponse(new IncrementalAlterConfigsResponseData().setResponses(responses)));
    }

    /** The override changes of a topic's operations: key to new value, or to null to remove the override. */
    static Map<String, String> changes(Iterable<AlterableConfig> operations, Map<String, String> overrides,
                                       LogConfig effective) {
        Map<String, String> changes = new HashMap<>();
        for (AlterableConfig operation : operations) {
            OpType type = OpType.forId(operation.configOperation());
            if (type == null) {
                throw new InvalidRequestException("Unknown operations type " + operation.configOperation());
            }
            String key = operation.name();
            switch (type) {
                case SET -> changes.put(key, operation.value());
                case DELETE -> changes.put(key, null);
                case APPEND, SUBTRACT -> {
                    if (LogConfig.configType(key).orElse(null) != ConfigDef.Type.LIST) {
                        throw new InvalidConfigurationException("Can't " + type + " to key " + key
                            + " because its type is not LIST.");
                    }
                    String current = overrides.containsKey(key) ? overrides.get(key)
                        : ConfigDef.convertToString(effective.values().get(key), ConfigDef.Type.LIST);
                    List<String> parts = parts(current);
                    for (String value : operation.value().split(",")) {
                        if (type == OpType.SUBTRACT) {
                            parts.remove(value);
                        } else if (!parts.contains(value)) {
                            parts.add(value);
                        }
                    }
                    changes.put(key, String.join(",", parts));
                }
                default -> throw new InvalidRequestException("Unknown operations type " + type);
            }
        }
        return changes;
    }

    private static List<String> parts(String value) {
        List<String> parts = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isEmpty()) {
                    parts.add(part);
                }
            }
        }
        return parts;
    }
}
