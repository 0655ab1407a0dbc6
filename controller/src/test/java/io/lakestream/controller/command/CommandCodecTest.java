package io.lakestream.controller.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.codec.MalformedDataException;
import io.lakestream.controller.codec.ValueCodecs;
import io.lakestream.stream.metadata.CommitStreamObjectRequest;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.MetadataError;
import io.lakestream.stream.metadata.StreamMetadataException;
import io.lakestream.stream.metadata.StreamObject;
import io.lakestream.stream.metadata.StreamOffsetRange;
import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.ConfigOp;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class CommandCodecTest {
    private static final Uuid TOPIC_ID = new Uuid(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);
    private static final List<ControllerCommand<?>> COMMANDS = List.of(
        new ControllerCommand.CreateStream(),
        new ControllerCommand.OpenStream(7, 3),
        new ControllerCommand.CloseStream(7, 2),
        new ControllerCommand.TrimStream(7, 2, 100),
        new ControllerCommand.DeleteStream(7, 2),
        new ControllerCommand.PrepareObjects(4, 60_000),
        new ControllerCommand.CommitStreamSetObject(new CommitStreamSetObjectRequest(10, 3, 4096,
            List.of(new StreamOffsetRange(7, 2, 0, 10), new StreamOffsetRange(8, 1, 5, 6)),
            List.of(new StreamObject(11, 1 << 20, new StreamOffsetRange(9, 4, 100, 200))), List.of(1L, 2L))),
        new ControllerCommand.CommitStreamObject(new CommitStreamObjectRequest(
            new StreamObject(12, 30, new StreamOffsetRange(9, 4, 0, 30)), List.of(3L, 4L, 5L))),
        new ControllerCommand.MarkObjectsDestroyed(List.of(1L, 2L, 3L)),
        new ControllerCommand.RegisterBroker(3, TOPIC_ID, List.of(new BrokerListener("PLAINTEXT", "127.0.0.1", 9092),
            new BrokerListener("CONTROLLER", "broker-3.local", 9093)), "rack-a"),
        new ControllerCommand.RegisterBroker(4, TOPIC_ID, List.of(new BrokerListener("PLAINTEXT", "h", 1)), null),
        new ControllerCommand.BrokerHeartbeat(3, 17, true),
        new ControllerCommand.FenceExpiredBrokers(9_000),
        new ControllerCommand.CreateTopic("orders", TOPIC_ID, 6, (short) -1,
            Map.of("retention.ms", "3600000", "cleanup.policy", "compact")),
        ControllerCommand.DeleteTopic.byName("orders"),
        ControllerCommand.DeleteTopic.byId(TOPIC_ID),
        new ControllerCommand.CreatePartitions("orders", 12),
        new ControllerCommand.AlterTopicConfigs("orders",
            List.of(ConfigOp.set("retention.ms", "1"), ConfigOp.delete("cleanup.policy")), true),
        new ControllerCommand.AllocateProducerIds(3, 17),
        new ControllerCommand.PutKv("table-topic/orders", new byte[] {1, 2, 3}),
        new ControllerCommand.PutKv("empty", new byte[0]),
        new ControllerCommand.PutKvIfAbsent("schema-registry/log/0", new byte[] {4, 5}),
        new ControllerCommand.DeleteKv("table-topic/orders"));

    private static final List<ControllerQuery<?>> QUERIES = List.of(
        new ControllerQuery.DescribeStream(7),
        new ControllerQuery.OpenStreams(3),
        new ControllerQuery.GetObjects(7, 10, -1, 100),
        new ControllerQuery.GetStreamSetObjects(3),
        new ControllerQuery.GetStreamObjects(7),
        new ControllerQuery.GetObjectsToDestroy(),
        new ControllerQuery.DescribeCluster(),
        new ControllerQuery.DescribeBrokers(),
        ControllerQuery.DescribeTopics.all(),
        new ControllerQuery.DescribeTopics(List.of("orders", "payments"), List.of(TOPIC_ID)),
        new ControllerQuery.GetKv("table-topic/orders"),
        new ControllerQuery.GetClusterDeltas(41, 500),
        new ControllerQuery.GetClusterDeltas(41, 500, 750));

    @Test
    void everyCommandRoundTripsWithTheStampedTime() {
        for (ControllerCommand<?> command : COMMANDS) {
            byte[] encoded = CommandCodec.encode(command);
            assertThat(CommandCodec.decode(encoded).timestampMillis()).isEqualTo(CommandCodec.UNSTAMPED);

            CommandCodec.StampedCommand decoded = CommandCodec.decode(CommandCodec.stamp(encoded, 123_456));
            assertThat(decoded.command()).as("%s", command).isEqualTo(command);
            assertThat(decoded.timestampMillis()).isEqualTo(123_456);
        }
    }

    @Test
    void everyQueryRoundTrips() {
        for (ControllerQuery<?> query : QUERIES) {
            assertThat(QueryCodec.decode(QueryCodec.encode(query))).isEqualTo(query);
        }
    }

    @Test
    void truncatedCommandsAreMalformedNotBufferErrors() {
        for (ControllerCommand<?> command : COMMANDS) {
            byte[] encoded = CommandCodec.encode(command);
            for (int length = 0; length < encoded.length; length++) {
                byte[] truncated = Arrays.copyOf(encoded, length);
                assertThatThrownBy(() -> CommandCodec.decode(truncated)).as("%s cut at %d", command, length)
                    .isInstanceOf(MalformedDataException.class);
            }
        }
    }

    @Test
    void unknownVersionTypeAndTrailingBytesAreRefused() {
        byte[] encoded = CommandCodec.encode(new ControllerCommand.OpenStream(1, 2));
        byte[] newer = encoded.clone();
        newer[CommandCodec.VERSION_OFFSET] = 1;
        assertThatThrownBy(() -> CommandCodec.decode(newer)).hasMessageContaining("version 1");
        byte[] unknown = encoded.clone();
        unknown[CommandCodec.TYPE_OFFSET] = 99;
        assertThatThrownBy(() -> CommandCodec.decode(unknown)).hasMessageContaining("type 99");
        assertThatThrownBy(() -> CommandCodec.decode(Arrays.copyOf(encoded, encoded.length + 1)))
            .hasMessageContaining("trailing");
    }

    @Test
    void repliesCarryTheValueOrTheErrorCodeAndMessage() {
        assertThat(ReplyCodec.decode(ReplyCodec.success(ValueCodecs.LONG, 42L), ValueCodecs.LONG)).isEqualTo(42L);
        for (MetadataError error : MetadataError.values()) {
            byte[] reply = ReplyCodec.failure(error, "stream 7 is closed");
            assertThatThrownBy(() -> ReplyCodec.decode(reply, ValueCodecs.VOID))
                .isInstanceOfSatisfying(StreamMetadataException.class, e -> assertThat(e.error()).isEqualTo(error))
                .hasMessageEndingWith("stream 7 is closed");
        }
    }

    @Test
    void clusterRefusalsCarryTheirKafkaErrorAndMessage() {
        for (Errors error : List.of(Errors.TOPIC_ALREADY_EXISTS, Errors.UNKNOWN_TOPIC_OR_PARTITION,
            Errors.INVALID_PARTITIONS, Errors.INVALID_REPLICATION_FACTOR, Errors.INVALID_CONFIG,
            Errors.INVALID_TOPIC_EXCEPTION, Errors.BROKER_NOT_AVAILABLE, Errors.STALE_BROKER_EPOCH,
            Errors.UNKNOWN_TOPIC_ID, Errors.BROKER_ID_NOT_REGISTERED)) {
            byte[] reply = ReplyCodec.failure(error, "topic orders: no");
            assertThatThrownBy(() -> ReplyCodec.decode(reply, ValueCodecs.VOID))
                .isInstanceOfSatisfying(ClusterMetadataException.class, e -> {
                    assertThat(e.error()).isEqualTo(error);
                    assertThat(e.detail()).isEqualTo("topic orders: no");
                });
        }
    }
}
