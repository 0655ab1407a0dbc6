package io.lakestream.controller.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterChange;
import io.lakestream.controller.cluster.ClusterDelta;
import io.lakestream.controller.cluster.ClusterDeltas;
import io.lakestream.controller.cluster.ClusterSnapshot;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.ProducerIdBlock;
import io.lakestream.controller.cluster.TopicDescription;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** Every reply value of the cluster commands and queries survives its codec, and a cut one is malformed. */
class ClusterCodecsTest {
    private static final Uuid TOPIC = new Uuid(1, 2);
    private static final BrokerRegistration BROKER = new BrokerRegistration(3, new Uuid(5, 6), 42,
        List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9092), new BrokerListener("SSL", "h", 9093)), "rack-a",
        true, false);
    private static final BrokerRegistration NO_RACK = new BrokerRegistration(4, new Uuid(7, 8), 43,
        List.of(new BrokerListener("PLAINTEXT", "h", 1)), null, false, true);
    private static final PartitionState PARTITION = new PartitionState(TOPIC, 0, 77, 3, 2);
    private static final TopicDescription TOPIC_DESCRIPTION = new TopicDescription(TOPIC, "orders",
        Map.of("retention.ms", "1000", "cleanup.policy", "delete"),
        List.of(PARTITION, new PartitionState(TOPIC, 1, 78, -1, 0)));
    private static final ClusterDelta DELTA = new ClusterDelta(99, List.of(
        new ClusterChange.BrokerChanged(BROKER),
        new ClusterChange.TopicChanged(TOPIC, "orders", Map.of("retention.ms", "1000")),
        new ClusterChange.PartitionChanged(PARTITION),
        new ClusterChange.TopicRemoved(TOPIC)));

    @Test
    void everyReplyValueRoundTrips() {
        assertRoundTrip(ClusterCodecs.BROKER_REGISTRATIONS, List.of(BROKER, NO_RACK));
        assertRoundTrip(ClusterCodecs.TOPIC_DESCRIPTION, TOPIC_DESCRIPTION);
        assertRoundTrip(ClusterCodecs.TOPIC_DESCRIPTIONS, List.of(TOPIC_DESCRIPTION, TOPIC_DESCRIPTION));
        assertRoundTrip(ClusterCodecs.HEARTBEAT_RESULT, new HeartbeatResult(true, false));
        assertRoundTrip(ClusterCodecs.PRODUCER_ID_BLOCK, new ProducerIdBlock(5_000, 1_000));
        assertRoundTrip(ClusterCodecs.INTS, List.of(1, -1, Integer.MAX_VALUE));
        assertRoundTrip(ClusterCodecs.STRING_MAP, Map.of("a", "1", "b", ""));
        assertRoundTrip(ClusterCodecs.CLUSTER_DELTAS, new ClusterDeltas(null, List.of(DELTA, DELTA)));
        assertRoundTrip(ClusterCodecs.CLUSTER_DELTAS, new ClusterDeltas(
            new ClusterSnapshot(100, List.of(BROKER), List.of(TOPIC_DESCRIPTION)), List.of()));
        assertThat(decode(ClusterCodecs.NULLABLE_BYTES, encode(ClusterCodecs.NULLABLE_BYTES, null))).isNull();
        assertThat(decode(ClusterCodecs.NULLABLE_BYTES, encode(ClusterCodecs.NULLABLE_BYTES, new byte[] {1, 2})))
            .containsExactly(1, 2);
    }

    @Test
    void configsAreEncodedInKeyOrderWhateverTheMapsOrder() {
        Map<String, String> insertionOrder = new LinkedHashMap<>();
        insertionOrder.put("b", "2");
        insertionOrder.put("a", "1");
        byte[] one = encode(ClusterCodecs.STRING_MAP, insertionOrder);
        byte[] other = encode(ClusterCodecs.STRING_MAP, new TreeMap<>(Map.of("a", "1", "b", "2")));
        assertThat(one).isEqualTo(other);
    }

    @Test
    void truncatedValuesAreMalformedNotBufferErrors() {
        byte[] encoded = encode(ClusterCodecs.CLUSTER_DELTAS, new ClusterDeltas(
            new ClusterSnapshot(100, List.of(BROKER, NO_RACK), List.of(TOPIC_DESCRIPTION)), List.of(DELTA)));
        for (int length = 0; length < encoded.length; length++) {
            byte[] cut = Arrays.copyOf(encoded, length);
            assertThatThrownBy(() -> decode(ClusterCodecs.CLUSTER_DELTAS, cut)).as("cut at %d", length)
                .isInstanceOf(MalformedDataException.class);
        }
    }

    private static <T> void assertRoundTrip(ValueCodec<T> codec, T value) {
        assertThat(decode(codec, encode(codec, value))).as("%s", value).isEqualTo(value);
    }

    private static <T> byte[] encode(ValueCodec<T> codec, T value) {
        ByteWriter writer = new ByteWriter();
        codec.write(writer, value);
        return writer.toByteArray();
    }

    private static <T> T decode(ValueCodec<T> codec, byte[] bytes) {
        ByteReader reader = new ByteReader(bytes);
        T value = codec.read(reader);
        reader.expectEnd();
        return value;
    }
}
