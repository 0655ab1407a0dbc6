package io.lakestream.controller.state;

import static io.lakestream.controller.state.ClusterReads.refuse;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.ProducerIdBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Broker sessions: registration, heartbeats, fencing by session timeout, controlled shutdown,
 * and the producer id blocks handed to brokers. Time is the command's stamped time, so
 * fencing is decided by the log. One instance per command, confined to the applying thread.
 */
final class BrokerCommands {
    private final MetadataTransaction tx;
    private final ClusterReads reads;
    private final LeaderPlacement placement;
    private final ClusterDeltaLog deltas;
    private final long nowMillis;
    private final long offset;

    BrokerCommands(MetadataTransaction tx, ClusterReads reads, LeaderPlacement placement, ClusterDeltaLog deltas,
                   long nowMillis, long offset) {
        this.tx = tx;
        this.reads = reads;
        this.placement = placement;
        this.deltas = deltas;
        this.nowMillis = nowMillis;
        this.offset = offset;
    }

    /**
     * Registers the broker unfenced; the broker epoch is this command's metadata offset, as in
     * KRaft. The registration counts as its first heartbeat. Commands batched into one log entry
     * share its offset, so a second incarnation registered in the same entry gets the old epoch
     * plus one: an epoch never names two incarnations.
     */
    long register(int nodeId, Uuid incarnationId, List<BrokerListener> listeners, String rack) {
        if (nodeId < 0) {
            throw refuse(Errors.INVALID_REGISTRATION, "node id " + nodeId + " is negative");
        }
        if (listeners.isEmpty()) {
            throw refuse(Errors.INVALID_REGISTRATION, "broker " + nodeId + " registers no listener");
        }
        if (incarnationId == null || Uuid.ZERO_UUID.equals(incarnationId)) {
            throw refuse(Errors.INVALID_REGISTRATION, "broker " + nodeId + " registers without an incarnation id");
        }
        StoredBroker old = reads.findBroker(nodeId);
        if (old != null && old.registration().incarnationId().equals(incarnationId)) {
            return old.registration().brokerEpoch();
        }
        long brokerEpoch = old == null ? offset : Math.max(offset, old.registration().brokerEpoch() + 1);
        BrokerRegistration registration = new BrokerRegistration(nodeId, incarnationId, brokerEpoch, listeners, rack,
            false, false);
        putBroker(new StoredBroker(registration, nowMillis));
        if (old != null) {
            // The restarted process holds none of the old one's streams: the epoch bump tells it to reopen them.
            placement.bumpEpochsLedBy(nodeId);
        }
        placement.placeLeaderless();
        return brokerEpoch;
    }

    HeartbeatResult heartbeat(int nodeId, long brokerEpoch, boolean wantShutDown) {
        StoredBroker broker = current(nodeId, brokerEpoch);
        BrokerRegistration registration = broker.registration();
        BrokerRegistration updated = registration;
        if (wantShutDown && !registration.inControlledShutdown()) {
            updated = updated.withControlledShutdown();
        } else if (registration.fenced() && !registration.inControlledShutdown()) {
            updated = updated.withFenced(false);
        }
        putBroker(new StoredBroker(updated, nowMillis), !updated.equals(registration));
        if (updated.inControlledShutdown() && !registration.inControlledShutdown()) {
            placement.moveLeadersOff(nodeId);
        } else if (registration.fenced() && !updated.fenced()) {
            placement.placeLeaderless();
        }
        boolean shouldShutDown = updated.inControlledShutdown() && !placement.leadsAnything(nodeId);
        return new HeartbeatResult(updated.fenced(), shouldShutDown);
    }

    /** Fences the unfenced brokers whose last heartbeat is at least {@code sessionTimeoutMillis} old. */
    List<Integer> fenceExpired(long sessionTimeoutMillis) {
        if (sessionTimeoutMillis <= 0) {
            throw refuse(Errors.INVALID_REQUEST, "session timeout " + sessionTimeoutMillis + " ms is not positive");
        }
        List<Integer> fenced = new ArrayList<>();
        for (StoredBroker broker : reads.brokers()) {
            if (!broker.registration().fenced() && broker.lastHeartbeatMillis() + sessionTimeoutMillis <= nowMillis) {
                fence(broker);
                fenced.add(broker.nodeId());
            }
        }
        return fenced;
    }

    ProducerIdBlock allocateProducerIds(int nodeId, long brokerEpoch) {
        StoredBroker broker = current(nodeId, brokerEpoch);
        if (broker.registration().fenced()) {
            throw refuse(Errors.BROKER_NOT_AVAILABLE, "broker " + nodeId + " is fenced");
        }
        long first = readCounter(MetaKeys.NEXT_PRODUCER_ID);
        tx.put(Table.META, MetaKeys.NEXT_PRODUCER_ID, Keys.int64(first + ProducerIdBlock.SIZE));
        return new ProducerIdBlock(first, ProducerIdBlock.SIZE);
    }

    /**
     * Refuses stream commands from a registered broker that is fenced: it lost its partitions
     * and must not take them back by opening or writing their streams. A node id that never
     * registered (stream-only tools and tests) is not checked.
     */
    static void requireUnfenced(ClusterReads reads, int nodeId) {
        StoredBroker broker = reads.findBroker(nodeId);
        if (broker != null && broker.registration().fenced()) {
            throw refuse(Errors.BROKER_NOT_AVAILABLE, "broker " + nodeId + " is fenced");
        }
    }

    private void fence(StoredBroker broker) {
        putBroker(new StoredBroker(broker.registration().withFenced(true), broker.lastHeartbeatMillis()));
        placement.moveLeadersOff(broker.nodeId());
    }

    /** The broker, if {@code brokerEpoch} is its current epoch. */
    private StoredBroker current(int nodeId, long brokerEpoch) {
        StoredBroker broker = reads.findBroker(nodeId);
        if (broker == null) {
            throw refuse(Errors.BROKER_ID_NOT_REGISTERED, "broker " + nodeId + " is not registered");
        }
        if (broker.registration().brokerEpoch() != brokerEpoch) {
            throw refuse(Errors.STALE_BROKER_EPOCH, "broker " + nodeId + " epoch " + brokerEpoch
                + " is not its current epoch " + broker.registration().brokerEpoch());
        }
        return broker;
    }

    private void putBroker(StoredBroker broker) {
        putBroker(broker, true);
    }

    private void putBroker(StoredBroker broker, boolean changed) {
        tx.put(Table.BROKERS, Keys.node(broker.nodeId()), broker.toBytes());
        if (changed) {
            deltas.add(new ClusterChange.BrokerChanged(broker.registration()));
        }
    }

    private long readCounter(byte[] metaKey) {
        byte[] value = tx.get(Table.META, metaKey);
        return value == null ? 0 : Keys.readInt64(value);
    }
}
