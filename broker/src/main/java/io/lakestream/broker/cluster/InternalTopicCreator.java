package io.lakestream.broker.cluster;

import io.lakestream.broker.network.Failures;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates a coordinator's internal topic ({@code __consumer_offsets}, {@code __transaction_state})
 * the first time a client looks for its coordinator, as Kafka does: compacted, with the
 * configured partition count, once however many lookups ask meanwhile. The lookups are answered
 * COORDINATOR_NOT_AVAILABLE until the topic appears, and clients retry.
 *
 * <p>Thread-safe: the creation under way is kept under this object's lock.
 */
public final class InternalTopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(InternalTopicCreator.class);
    private static final long TOPIC_WAIT_MILLIS = 60_000;

    private final String name;
    private final int partitions;
    private final ClusterViewHolder views;
    private final ClusterAdmin admin;
    private CompletableFuture<Integer> creating;

    public InternalTopicCreator(String name, int partitions, ClusterViewHolder views, ClusterAdmin admin) {
        this.name = name;
        this.partitions = partitions;
        this.views = views;
        this.admin = admin;
    }

    /** Starts creating the topic unless it exists or its creation is under way; does not wait. */
    public void createIfMissing() {
        synchronized (this) {
            if (creating != null && !creating.isDone()) {
                return;
            }
            creating = ensure();
        }
        creating.whenComplete((count, error) -> {
            if (error != null) {
                LOG.warn("Cannot create {}; the next FindCoordinator tries again: {}", name,
                    Failures.cause(error).toString());
            }
        });
    }

    private CompletableFuture<Integer> ensure() {
        CompletableFuture<Void> created = CompletableFuture.completedFuture(null);
        if (views.current().topic(name).isEmpty()) {
            Map<String, String> configs = Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.COMPRESSION_TYPE_CONFIG, "producer");
            created = admin.createTopic(name, partitions, configs)
                .handle((id, error) -> {
                    // Another broker may have created it first.
                    if (error != null && !(Failures.cause(error) instanceof TopicExistsException)) {
                        throw new CompletionException("Cannot create " + name, Failures.cause(error));
                    }
                    return null;
                });
        }
        return created
            .thenCompose(ignored -> views.await(view -> view.topic(name).isPresent(), TOPIC_WAIT_MILLIS))
            .thenApply(view -> view.topic(name).map(topic -> topic.partitions().size()).orElseThrow(() ->
                new IllegalStateException(name + " did not appear in the cluster metadata within "
                    + TimeUnit.MILLISECONDS.toSeconds(TOPIC_WAIT_MILLIS) + " s")));
    }
}
