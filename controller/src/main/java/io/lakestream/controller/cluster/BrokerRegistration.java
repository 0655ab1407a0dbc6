package io.lakestream.controller.cluster;

import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * A registered broker as the cluster sees it.
 *
 * @param incarnationId chosen by the broker process at start; a new one means a restart
 * @param brokerEpoch the metadata offset of the registration of this incarnation
 * @param rack null when the broker has none
 * @param fenced its session expired (or it never heartbeat since a restart): it leads nothing
 * @param inControlledShutdown it asked to shut down: it gets no new leaderships
 */
public record BrokerRegistration(int nodeId, Uuid incarnationId, long brokerEpoch, List<BrokerListener> listeners,
                                 String rack, boolean fenced, boolean inControlledShutdown) {
    public BrokerRegistration {
        listeners = List.copyOf(listeners);
    }

    /** Whether partitions may be led by this broker. */
    public boolean canLead() {
        return !fenced && !inControlledShutdown;
    }

    public BrokerRegistration withFenced(boolean newFenced) {
        return new BrokerRegistration(nodeId, incarnationId, brokerEpoch, listeners, rack, newFenced,
            inControlledShutdown);
    }

    public BrokerRegistration withControlledShutdown() {
        return new BrokerRegistration(nodeId, incarnationId, brokerEpoch, listeners, rack, fenced, true);
    }
}
