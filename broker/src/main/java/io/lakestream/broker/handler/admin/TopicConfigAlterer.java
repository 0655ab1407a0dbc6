package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterAdmin;
import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.TopicView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.config.BrokerConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What IncrementalAlterConfigs and AlterConfigs share: Kafka's checks of the request's resources
 * (each at most once, no key twice, no null value to set, a valid topic name), the refusal of broker configs, which
 * Lakestream reads only from server.properties at startup, and a topic's changes applied
 * through the controller, which validates them with Kafka's {@link LogConfig}.
 *
 * <p>A change that is not validate-only is answered once this broker's metadata view shows it;
 * the partition logs pick it up before the view is published, so a produce sent after the
 * response is checked against the new config. The new overrides are computed from this
 * broker's view of the current ones, so two concurrent requests that change the same topic may
 * each miss the other's change (Kafka's controller applies them atomically).
 *
 * <p>Thread-safe.
 */
final class TopicConfigAlterer {
    private static final Logger LOG = LoggerFactory.getLogger(TopicConfigAlterer.class);
    /** Bounds the wait for the view, which follows the controller every 100 ms; only a stuck follower hits it. */
    private static final long VIEW_TIMEOUT_MS = 30_000;

    private final ClusterAdmin admin;
    private final ClusterViewHolder views;
    private final BrokerConfig config;

    TopicConfigAlterer(ClusterAdmin admin, ClusterViewHolder views, BrokerConfig config) {
        this.admin = admin;
        this.views = views;
        this.config = config;
    }

    /** How a resource's override changes (key to new value, or to null to remove it) follow from the current ones. */
    @FunctionalInterface
    interface ChangeRule {
        /** @throws ApiException for an operation Kafka refuses before it reaches its controller */
        Map<String, String> changes(Map<String, String> overrides, LogConfig effective);
    }

    /**
     * One resource of a request.
     *
     * @param keys every config name the request gives, duplicates included
     * @param nullValued the names given a null value where a value is needed
     */
    record Alteration(byte resourceType, String resourceName, List<String> keys, List<String> nullValued,
                      ChangeRule rule) {

        /** A resource whose configs are of a request's own type: {@code lacksValue} says which need a value they lack. */
        static <C> Alteration of(byte resourceType, String resourceName, Collection<C> configs,
                                 Function<C, String> name, Predicate<C> lacksValue, ChangeRule rule) {
            return new Alteration(resourceType, resourceName, configs.stream().map(name).toList(),
                configs.stream().filter(lacksValue).map(name).toList(), rule);
        }
    }

    /** Builds an API's own response entry for one resource's outcome. */
    @FunctionalInterface
    interface ResponseEntry<E> {
        E of(byte resourceType, String resourceName, short errorCode, String errorMessage);
    }

    /** Applies each resource's changes; the response entry of each, in request order. */
    <E> CompletableFuture<List<E>> alter(List<Alteration> resources, boolean validateOnly, ResponseEntry<E> entry) {
        Set<List<Object>> seen = new HashSet<>();
        Set<List<Object>> repeated = new HashSet<>();
        for (Alteration resource : resources) {
            List<Object> id = List.of(resource.resourceType(), String.valueOf(resource.resourceName()));
            if (!seen.add(id)) {
                repeated.add(id);
            }
        }
        List<CompletableFuture<E>> entries = new ArrayList<>();
        for (Alteration resource : resources) {
            CompletableFuture<ApiError> error;
            if (repeated.contains(List.of(resource.resourceType(), String.valueOf(resource.resourceName())))) {
                error = CompletableFuture.completedFuture(new ApiError(Errors.INVALID_REQUEST,
                    "Each resource must appear at most once."));
            } else {
                try {
                    error = alter(resource, validateOnly);
                } catch (ApiException e) {
                    error = CompletableFuture.completedFuture(ApiError.fromThrowable(e));
                }
            }
            entries.add(error.thenApply(e -> entry.of(resource.resourceType(), resource.resourceName(),
                e.error().code(), e.message())));
        }
        return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new))
            .thenApply(ignored -> entries.stream().map(CompletableFuture::join).toList());
    }

    private CompletableFuture<ApiError> alter(Alteration resource, boolean validateOnly) {
        if (new HashSet<>(resource.keys()).size() != resource.keys().size()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
        if (!resource.nullValued().isEmpty()) {
            throw new InvalidRequestException("Null value not supported for : "
                + String.join(", ", resource.nullValued()));
        }
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case TOPIC -> {
                return alterTopic(resource.resourceName(), resource.rule(), validateOnly);
            }
            case BROKER -> {
                if (!BrokerResource.isClusterDefault(resource.resourceName())) {
                    BrokerResource.requireNode(resource.resourceName(), config.nodeId());
                }
                if (!resource.keys().isEmpty()) {
                    throw new InvalidRequestException("Cannot update these configs dynamically: "
                        + new ArrayList<>(resource.keys()) + ". Lakestream has no dynamic broker configs: set them in "
                        + "server.properties and restart the broker.");
                }
                return CompletableFuture.completedFuture(ApiError.NONE);
            }
            default -> throw new InvalidRequestException(type == ConfigResource.Type.UNKNOWN
                ? "Unknown resource type " + resource.resourceType()
                : "Lakestream does not support altering " + type + " configs");
        }
    }

    private CompletableFuture<ApiError> alterTopic(String topic, ChangeRule rule, boolean validateOnly) {
        Topic.validate(topic);
        Optional<TopicView> current = views.current().topic(topic);
        if (current.isEmpty()) {
            throw new UnknownTopicOrPartitionException("Topic '" + topic + "' does not exist.");
        }
        Map<String, String> overrides = current.get().configs();
        Map<String, String> changes = rule.changes(overrides, config.topicConfig(overrides));
        return admin.alterTopicConfigs(topic, changes, validateOnly)
            .thenCompose(ignored -> validateOnly ? CompletableFuture.completedFuture(null)
                : views.await(view -> shows(view, topic, changes), VIEW_TIMEOUT_MS).thenAccept(view -> {
                    if (!shows(view, topic, changes)) {
                        LOG.warn("The config change of topic {} was applied by the controller but this broker's "
                            + "metadata did not show it within {} ms", topic, VIEW_TIMEOUT_MS);
                    }
                }))
            .handle((ignored, error) -> error == null ? ApiError.NONE
                : new ApiError(AdminErrors.code(error), AdminErrors.message(error)));
    }

    /** Whether the view has every change, or no longer has the topic. */
    private static boolean shows(ClusterView view, String topic, Map<String, String> changes) {
        return view.topic(topic).map(t -> changes.entrySet().stream()
            .allMatch(change -> Objects.equals(t.configs().get(change.getKey()), change.getValue())))
            .orElse(true);
    }
}
