package io.lakestream.broker.handler.group;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;

/**
 * FindCoordinator: the coordinator of a key is the leader of the partition of the internal
 * topic that the key hashes to, as in Kafka; it is read from the local cluster view. v0-3 ask
 * for one key (librdkafka still sends v0), v4+ for a batch. A key type with no coordinator here,
 * or an internal topic with no live leader for the key yet, is COORDINATOR_NOT_AVAILABLE, which
 * clients retry.
 */
public final class FindCoordinatorHandler implements RequestHandler {
    private final ClusterViewHolder views;
    private final Map<CoordinatorType, InternalTopic> coordinators;

    /** @param coordinators for each key type served, the internal topic its state lives in */
    public FindCoordinatorHandler(ClusterViewHolder views, Map<CoordinatorType, InternalTopic> coordinators) {
        this.views = views;
        this.coordinators = Map.copyOf(coordinators);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        FindCoordinatorRequest find = request.body(FindCoordinatorRequest.class);
        FindCoordinatorRequestData data = find.data();
        ClusterView view = views.current();
        if (request.apiVersion() < FindCoordinatorRequest.MIN_BATCHED_VERSION) {
            Lookup lookup = lookup(view, data.keyType(), data.key(), request.apiVersion());
            if (lookup.error() != Errors.NONE) {
                return CompletableFuture.completedFuture(find.getErrorResponse(lookup.error().exception()));
            }
            return CompletableFuture.completedFuture(new FindCoordinatorResponse(new FindCoordinatorResponseData()
                .setErrorCode(Errors.NONE.code()).setErrorMessage(Errors.NONE.message())
                .setNodeId(lookup.node().id()).setHost(lookup.node().host()).setPort(lookup.node().port())));
        }
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        for (String key : data.coordinatorKeys()) {
            Lookup lookup = lookup(view, data.keyType(), key, request.apiVersion());
            response.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setErrorCode(lookup.error().code())
                .setErrorMessage(lookup.error() == Errors.NONE ? null : lookup.error().message())
                .setNodeId(lookup.node().id()).setHost(lookup.node().host()).setPort(lookup.node().port()));
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
    }

    private Lookup lookup(ClusterView view, byte keyType, String key, short version) {
        CoordinatorType type;
        try {
            type = CoordinatorType.forId(keyType);
        } catch (IllegalArgumentException e) {
            return Lookup.failed(Errors.INVALID_REQUEST);
        }
        if (type == CoordinatorType.SHARE && version < 6) {
            return Lookup.failed(Errors.INVALID_REQUEST);
        }
        InternalTopic internal = coordinators.get(type);
        if (internal == null) {
            // As Kafka without a share coordinator; transactions are not served yet.
            return Lookup.failed(type == CoordinatorType.SHARE ? Errors.INVALID_REQUEST : Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (view.topic(internal.name()).isEmpty()) {
            internal.createIfMissing().run();
            return Lookup.failed(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        int partition = internal.partitionFor().applyAsInt(key);
        Optional<Node> leader = view.topic(internal.name())
            .flatMap(topic -> topic.partitions().stream().filter(p -> p.partition() == partition).findFirst())
            .flatMap(p -> view.liveBrokers().stream().filter(broker -> broker.nodeId() == p.leader()).findFirst())
            .map(broker -> new Node(broker.nodeId(), broker.host(), broker.port()));
        return leader.map(node -> new Lookup(Errors.NONE, node)).orElse(Lookup.failed(Errors.COORDINATOR_NOT_AVAILABLE));
    }

    /**
     * The internal topic a coordinator keeps its state in, how a key maps to its partition (the
     * coordinator's own {@code partitionFor}), and how to have it created: as Kafka, the first
     * lookup of a coordinator creates its topic and is answered COORDINATOR_NOT_AVAILABLE.
     */
    public record InternalTopic(String name, ToIntFunction<String> partitionFor, Runnable createIfMissing) {}

    private record Lookup(Errors error, Node node) {
        static Lookup failed(Errors error) {
            return new Lookup(error, Node.noNode());
        }
    }
}
