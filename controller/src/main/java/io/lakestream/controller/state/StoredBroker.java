package io.lakestream.controller.state;

import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.codec.ByteReader;
import io.lakestream.controller.codec.ByteWriter;
import io.lakestream.controller.codec.ClusterCodecs;

/**
 * A broker as stored in {@link Table#BROKERS}: what the cluster sees, and when its session was
 * last renewed. The heartbeat time is kept out of {@link BrokerRegistration} so that a
 * heartbeat that changes nothing else is no cluster metadata change.
 *
 * <pre>
 * +--------------------+---------------------+----------------------------------------+
 * | BrokerRegistration | (variable)          | as in ClusterCodecs                    |
 * | int64              | lastHeartbeatMillis | the stamped time of the last heartbeat |
 * |                    |                     | or registration                        |
 * +--------------------+---------------------+----------------------------------------+
 * </pre>
 */
record StoredBroker(BrokerRegistration registration, long lastHeartbeatMillis) {

    int nodeId() {
        return registration.nodeId();
    }

    byte[] toBytes() {
        ByteWriter writer = new ByteWriter(96);
        ClusterCodecs.BROKER_REGISTRATION.write(writer, registration);
        return writer.writeLong(lastHeartbeatMillis).toByteArray();
    }

    static StoredBroker fromBytes(byte[] bytes) {
        ByteReader reader = new ByteReader(bytes);
        StoredBroker broker = new StoredBroker(ClusterCodecs.BROKER_REGISTRATION.read(reader), reader.readLong());
        reader.expectEnd();
        return broker;
    }
}
