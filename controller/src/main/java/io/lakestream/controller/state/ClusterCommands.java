package io.lakestream.controller.state;

import static io.lakestream.controller.state.ClusterReads.refuse;

import io.lakestream.controller.cluster.TopicConfigValidation;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerCommand.AllocateProducerIds;
import io.lakestream.controller.command.ControllerCommand.AlterTopicConfigs;
import io.lakestream.controller.command.ControllerCommand.BrokerHeartbeat;
import io.lakestream.controller.command.ControllerCommand.CreatePartitions;
import io.lakestream.controller.command.ControllerCommand.CreateTopic;
import io.lakestream.controller.command.ControllerCommand.DeleteKv;
import io.lakestream.controller.command.ControllerCommand.DeleteTopic;
import io.lakestream.controller.command.ControllerCommand.FenceExpiredBrokers;
import io.lakestream.controller.command.ControllerCommand.PutKv;
import io.lakestream.controller.command.ControllerCommand.PutKvIfAbsent;
import io.lakestream.controller.command.ControllerCommand.RegisterBroker;
import org.apache.kafka.common.protocol.Errors;

/**
 * Applies the cluster commands (brokers, topics, producer ids, KV) to one transaction and
 * records what they changed in cluster metadata as the delta at the command's offset. One
 * instance per command, confined to the applying thread.
 */
final class ClusterCommands {
    private final MetadataTransaction tx;
    private final ClusterDeltaLog deltas;
    private final BrokerCommands brokers;
    private final TopicCommands topics;
    private final long offset;

    ClusterCommands(MetadataTransaction tx, StreamCommands streams, long offset, long nowMillis,
                    int retainedDeltas, TopicConfigValidation topicConfigs) {
        ClusterReads reads = new ClusterReads(tx);
        this.tx = tx;
        this.offset = offset;
        this.deltas = new ClusterDeltaLog(tx, retainedDeltas);
        LeaderPlacement placement = new LeaderPlacement(tx, reads, deltas);
        this.brokers = new BrokerCommands(tx, reads, placement, deltas, nowMillis, offset);
        this.topics = new TopicCommands(tx, reads, streams, placement, deltas, topicConfigs);
    }

    static boolean handles(ControllerCommand<?> command) {
        return command instanceof RegisterBroker || command instanceof BrokerHeartbeat
            || command instanceof FenceExpiredBrokers || command instanceof CreateTopic
            || command instanceof DeleteTopic || command instanceof CreatePartitions
            || command instanceof AlterTopicConfigs || command instanceof AllocateProducerIds
            || command instanceof PutKv || command instanceof DeleteKv || command instanceof PutKvIfAbsent;
    }

    @SuppressWarnings("unchecked")
    <R> R execute(ControllerCommand<R> command) {
        Object result = null;
        if (command instanceof RegisterBroker c) {
            result = brokers.register(c.nodeId(), c.incarnationId(), c.listeners(), c.rack());
        } else if (command instanceof BrokerHeartbeat c) {
            result = brokers.heartbeat(c.nodeId(), c.brokerEpoch(), c.wantShutDown());
        } else if (command instanceof FenceExpiredBrokers c) {
            result = brokers.fenceExpired(c.sessionTimeoutMillis());
        } else if (command instanceof CreateTopic c) {
            result = topics.create(c.name(), c.topicId(), c.numPartitions(), c.replicationFactor(), c.configs());
        } else if (command instanceof DeleteTopic c) {
            result = topics.delete(c.name(), c.topicId());
        } else if (command instanceof CreatePartitions c) {
            result = topics.createPartitions(c.topic(), c.newTotal());
        } else if (command instanceof AlterTopicConfigs c) {
            result = topics.alterConfigs(c.topic(), c.ops(), c.validateOnly());
        } else if (command instanceof AllocateProducerIds c) {
            result = brokers.allocateProducerIds(c.nodeId(), c.brokerEpoch());
        } else if (command instanceof PutKv c) {
            tx.put(Table.KV, Keys.utf8(requireKey(c.key())), c.value());
        } else if (command instanceof DeleteKv c) {
            tx.delete(Table.KV, Keys.utf8(requireKey(c.key())));
        } else if (command instanceof PutKvIfAbsent c) {
            byte[] key = Keys.utf8(requireKey(c.key()));
            byte[] existing = tx.get(Table.KV, key);
            if (existing == null) {
                tx.put(Table.KV, key, c.value());
            }
            result = existing == null ? c.value() : existing;
        } else {
            throw new IllegalArgumentException("not a cluster command: " + command);
        }
        deltas.writeAt(offset);
        return (R) result;
    }

    private static String requireKey(String key) {
        if (key.isEmpty()) {
            throw refuse(Errors.INVALID_REQUEST, "the KV store has no empty key");
        }
        return key;
    }
}
