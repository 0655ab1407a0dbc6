package io.lakestream.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakestream.broker.KafkaWire;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Produce, Fetch, ListOffsets, OffsetForLeaderEpoch and DeleteRecords: the same raw requests,
 * good and bad, to Apache Kafka and to Lakestream get the same answers (error codes, offsets,
 * timestamps, watermarks, epochs). Records are produced as the same raw batches on both, so
 * even the fetched bytes compare equal.
 */
class DataPathCompatTest {
    @RegisterExtension
    static final SideBySide servers = new SideBySide();

    /** Three records at offsets 0, 1, 2: one batch of one, then one batch of two, timestamps out of order. */
    private static final long[][] BATCH_TIMESTAMPS = {{1_000}, {3_000, 2_000}};
    private static final Map<String, Uuid> IDS = new ConcurrentHashMap<>();
    private static final java.util.Set<String> RETRIABLE_ON_NEW_PARTITION = java.util.Set.of(
        "NOT_LEADER_OR_FOLLOWER", "UNKNOWN_TOPIC_OR_PARTITION", "UNKNOWN_TOPIC_ID", "LEADER_NOT_AVAILABLE");

    /** What a case asks one server over one connection. */
    @FunctionalInterface
    interface Probe {
        JsonNode ask(SideBySide.Server server, KafkaWire wire) throws Exception;
    }

    @Test
    void produceAnswersBadInputAsKafkaDoes() throws Exception {
        Map<String, Probe> cases = new LinkedHashMap<>();
        cases.put("valid batch, topic by id", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), 0, batch(0))));
        cases.put("valid batch, topic by name (v12)", (server, wire) -> send(wire,
            Requests.produce("pd-topic", Uuid.ZERO_UUID, 0, batch(1)).build((short) 12)));
        cases.put("unknown topic id", (server, wire) -> send(wire,
            Requests.produce("pd-unknown", Uuid.randomUuid(), 0, batch(0))));
        cases.put("unknown topic name (v12)", (server, wire) -> send(wire,
            Requests.produce("pd-unknown", Uuid.ZERO_UUID, 0, batch(0)).build((short) 12)));
        cases.put("partition that does not exist", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), 7, batch(0))));
        cases.put("negative partition", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), -1, batch(0))));
        cases.put("batch larger than max.message.bytes", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), 0,
                Requests.records(new long[] {1_000}, new byte[2_000]))));
        cases.put("batch with a bad CRC", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), 0, corrupted(batch(0)))));
        cases.put("acks=2", (server, wire) -> {
            ProduceRequest.Builder builder = Requests.produce("pd-topic", id(server, "pd-topic"), 0, batch(0));
            ProduceRequest request = builder.build();
            request.data().setAcks((short) 2);
            return send(wire, request);
        });
        cases.put("timestamp older than message.timestamp.before.max.ms", (server, wire) -> send(wire,
            Requests.produce("pd-recent", id(server, "pd-recent"), 0, batch(1))));
        cases.put("record without a key to a compacted topic", (server, wire) -> send(wire,
            Requests.produce("pd-compacted", id(server, "pd-compacted"), 0, batch(1))));
        cases.put("after the errors, a valid batch", (server, wire) -> send(wire,
            Requests.produce("pd-topic", id(server, "pd-topic"), 0, batch(0))));
        Map<String, JsonNode> kafka = servers.assertSameForEach(cases, (server, probe) -> {
            ensureTopic(server, "pd-topic", Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"));
            ensureTopic(server, "pd-recent", Map.of(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, "3600000"));
            ensureTopic(server, "pd-compacted", Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
            try (KafkaWire wire = server.connect()) {
                return probe.ask(server, wire);
            }
        });
        assertThat(kafka.get("batch larger than max.message.bytes").toString()).contains("MESSAGE_TOO_LARGE");
        assertThat(kafka.get("timestamp older than message.timestamp.before.max.ms").toString())
            .contains("INVALID_TIMESTAMP");
        assertThat(kafka.get("after the errors, a valid batch").at("/responses/0/partitionResponses/0/baseOffset")
            .asLong()).isEqualTo(3);
    }

    @Test
    void idempotentProduceChecksSequencesAndEpochsAsKafkaDoes() throws Exception {
        // Producer ids differ between the clusters; the answers (offsets and error codes) must not.
        Map<String, int[]> cases = new LinkedHashMap<>();
        cases.put("sequence 0", new int[] {0, 0, 0});
        cases.put("sequence 0 again (a retry)", new int[] {0, 0, 0});
        cases.put("sequence 5 (a gap)", new int[] {0, 0, 5});
        cases.put("sequence 1", new int[] {0, 0, 1});
        cases.put("sequence 1 again (a retry)", new int[] {0, 0, 1});
        cases.put("sequence 0 again (an older retry)", new int[] {0, 0, 0});
        cases.put("epoch 1, sequence 0", new int[] {0, 1, 0});
        cases.put("epoch 0 again (fenced)", new int[] {0, 0, 2});
        cases.put("unknown producer, sequence 3", new int[] {1_000_000, 0, 3});
        cases.put("unknown producer, sequence 0", new int[] {1_000_000, 0, 0});
        Map<String, Long> producerIds = new ConcurrentHashMap<>();
        Map<String, JsonNode> kafka = servers.assertSameForEach(cases, (server, c) -> {
            ensureTopic(server, "ip-topic", Map.of());
            try (KafkaWire wire = server.connect()) {
                long producerId = producerIds.computeIfAbsent(server.name(), name -> initProducerId(wire));
                return send(wire, Requests.produce("ip-topic", id(server, "ip-topic"), 0,
                    Requests.idempotentRecord(producerId + c[0], (short) c[1], c[2])));
            }
        });
        assertThat(kafka.get("sequence 5 (a gap)").toString()).contains("OUT_OF_ORDER_SEQUENCE_NUMBER");
        assertThat(kafka.get("epoch 0 again (fenced)").toString()).contains("INVALID_PRODUCER_EPOCH");
    }

    /** A producer id, asked for until the server has one to give (Kafka answers a retriable error right after start). */
    private static long initProducerId(KafkaWire wire) {
        InitProducerIdResponse response = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
            .until(() -> wire.send(Requests.initProducerId()), r -> !(r.error().exception() instanceof RetriableException));
        assertThat(response.error()).isEqualTo(Errors.NONE);
        return response.data().producerId();
    }

    @Test
    void javaProducerGetsTheSameExceptionForARecordOverTheTopicLimit() throws Exception {
        String kafka = servers.assertSame("producer send over max.message.bytes", server -> {
            ensureTopic(server, "pd-small", Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"));
            // Generous timeouts: on a loaded machine an idempotent producer whose request timed
            // out fails with a plain KafkaException (unresolved sequence) instead of the broker's answer.
            try (KafkaProducer<byte[], byte[]> producer = server.producer(Map.of(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000))) {
                producer.send(new ProducerRecord<>("pd-small", new byte[2_000])).get();
                return "sent";
            } catch (ExecutionException e) {
                return e.getCause().getClass().getName();
            }
        });
        assertThat(kafka).isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
    }

    @Test
    void fetchAnswersEveryOffsetAndBadInputAsKafkaDoes() throws Exception {
        Map<String, Probe> cases = new LinkedHashMap<>();
        for (long offset : new long[] {0, 1, 2, 3, 4, 100, -1}) {
            cases.put("offset " + offset, (server, wire) -> send(wire,
                Requests.fetch("fd-data", id(server, "fd-data"), 0, offset, Requests.NO_EPOCH)));
        }
        cases.put("empty partition at 0", (server, wire) -> send(wire,
            Requests.fetch("fd-empty", id(server, "fd-empty"), 0, 0, Requests.NO_EPOCH)));
        cases.put("empty partition at 1", (server, wire) -> send(wire,
            Requests.fetch("fd-empty", id(server, "fd-empty"), 0, 1, Requests.NO_EPOCH)));
        cases.put("unknown topic id", (server, wire) -> send(wire,
            Requests.fetch("fd-unknown", Uuid.randomUuid(), 0, 0, Requests.NO_EPOCH)));
        cases.put("partition that does not exist", (server, wire) -> send(wire,
            Requests.fetch("fd-data", id(server, "fd-data"), 5, 0, Requests.NO_EPOCH)));
        cases.put("current leader epoch", (server, wire) -> send(wire,
            Requests.fetch("fd-data", id(server, "fd-data"), 0, 0, 0)));
        cases.put("future leader epoch", (server, wire) -> send(wire,
            Requests.fetch("fd-data", id(server, "fd-data"), 0, 0, 5)));
        cases.put("read committed", (server, wire) -> send(wire,
            Requests.fetch("fd-data", id(server, "fd-data"), 0, 0, Requests.NO_EPOCH)
                .isolationLevel(IsolationLevel.READ_COMMITTED)));
        servers.assertSameForEach(cases, (server, probe) -> {
            ensureData(server, "fd-data");
            ensureTopic(server, "fd-empty", Map.of());
            try (KafkaWire wire = server.connect()) {
                return probe.ask(server, wire);
            }
        });
    }

    @Test
    void fetchSessionsAnswerAsKafkaDoes() throws Exception {
        // Each server's session, as its first answer created it; a case names what the one before it left.
        Map<String, Integer> sessions = new ConcurrentHashMap<>();
        Map<String, SessionProbe> cases = new LinkedHashMap<>();
        cases.put("full fetch of both partitions opens a session", (server, wire, session) ->
            openSession(sessions, server, wire, Map.of(0, 0L, 1, 0L)));
        cases.put("incremental: partition 0 moved to its end, nothing new", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, 1), Map.of(0, 3L), List.of())));
        cases.put("incremental: records arrived on partition 1", (server, wire, session) -> {
            produceWhenOpen(wire, server, "fs-data", 1, batch(1));
            return send(wire, sessionFetch(server, new FetchMetadata(session, 2), Map.of(), List.of()));
        });
        cases.put("incremental: partition 1 forgotten", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, 3), Map.of(), List.of(1))));
        cases.put("incremental: records on the forgotten partition only", (server, wire, session) -> {
            produceWhenOpen(wire, server, "fs-data", 1, batch(0));
            return send(wire, sessionFetch(server, new FetchMetadata(session, 4), Map.of(), List.of()));
        });
        cases.put("incremental: nothing new within a 100 ms wait", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, 5), Map.of(), List.of(), 100)));
        cases.put("incremental: an epoch out of order", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, 9), Map.of(), List.of())));
        cases.put("incremental: a session that does not exist", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session == 1 ? 2 : 1, 1), Map.of(), List.of())));
        cases.put("full fetch with the final epoch closes the session", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, FetchMetadata.FINAL_EPOCH), Map.of(0, 0L), List.of())));
        cases.put("incremental: the closed session", (server, wire, session) -> send(wire,
            sessionFetch(server, new FetchMetadata(session, 6), Map.of(), List.of())));
        cases.put("full fetch of partition 0 opens another session", (server, wire, session) ->
            openSession(sessions, server, wire, Map.of(0, 3L)));
        cases.put("incremental: the topic was deleted and created again", (server, wire, session) -> {
            server.admin().deleteTopics(List.of("fs-data")).all().get();
            // Created again once the name is free, and open: its partition 0 holds records again.
            Uuid newId = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> Requests.createTopic(server.admin(), "fs-data", 2, Map.of()),
                    id -> true);
            IDS.put(server.name() + "/fs-data", newId);
            produceWhenOpen(wire, server, "fs-data", 0);
            return send(wire, sessionFetch(server, new FetchMetadata(session, 1), Map.of(), List.of()));
        });
        Map<String, JsonNode> kafka = servers.assertSameForEach(cases, (server, probe) -> {
            if (!IDS.containsKey(server.name() + "/fs-data")) {
                IDS.put(server.name() + "/fs-data", Requests.createTopic(server.admin(), "fs-data", 2, Map.of()));
                try (KafkaWire wire = server.connect()) {
                    produceWhenOpen(wire, server, "fs-data", 0);
                    // Partition 1 stays empty until the third case, but must be open for the first.
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                        .until(() -> send(wire,
                                Requests.fetch("fs-data", id(server, "fs-data"), 1, 0, Requests.NO_EPOCH)),
                            response -> !RETRIABLE_ON_NEW_PARTITION.contains(
                                response.at("/responses/0/partitions/0/errorCode").asText()));
                }
            }
            try (KafkaWire wire = server.connect()) {
                return probe.ask(server, wire, sessions.getOrDefault(server.name(), 0));
            }
        });
        assertThat(kafka.get("full fetch of both partitions opens a session").path("sessionId").asText())
            .isEqualTo("<session id>");
        assertThat(kafka.get("incremental: partition 0 moved to its end, nothing new").path("responses")).isEmpty();
        assertThat(kafka.get("incremental: records arrived on partition 1").findValuesAsText("partitionIndex"))
            .containsExactly("1");
        assertThat(kafka.get("incremental: an epoch out of order").path("errorCode").asText())
            .isEqualTo("INVALID_FETCH_SESSION_EPOCH");
        assertThat(kafka.get("incremental: the closed session").path("errorCode").asText())
            .isEqualTo("FETCH_SESSION_ID_NOT_FOUND");
        assertThat(kafka.get("incremental: the topic was deleted and created again").toString())
            .contains("INCONSISTENT_TOPIC_ID");
    }

    /** What a fetch session case asks one server, in the session the first case opened there. */
    @FunctionalInterface
    interface SessionProbe {
        JsonNode ask(SideBySide.Server server, KafkaWire wire, int session) throws Exception;
    }

    private static FetchRequest.Builder sessionFetch(SideBySide.Server server, FetchMetadata session,
                                                     Map<Integer, Long> offsets, List<Integer> forgotten) {
        return sessionFetch(server, session, offsets, forgotten, 0);
    }

    private static FetchRequest.Builder sessionFetch(SideBySide.Server server, FetchMetadata session,
                                                     Map<Integer, Long> offsets, List<Integer> forgotten,
                                                     int maxWaitMs) {
        return Requests.sessionFetch("fs-data", id(server, "fs-data"), session, new java.util.TreeMap<>(offsets),
            forgotten, maxWaitMs);
    }

    /** A full fetch of {@code offsets} that opens a session; remembers the session as the server's. */
    private static JsonNode openSession(Map<String, Integer> sessions, SideBySide.Server server, KafkaWire wire,
                                        Map<Integer, Long> offsets) throws Exception {
        FetchResponse answer = wire.send(sessionFetch(server, FetchMetadata.INITIAL, offsets, List.of()));
        sessions.put(server.name(), answer.sessionId());
        return Observed.json(answer);
    }

    @Test
    void listOffsetsOfEmptyFullAndTrimmedPartitions() throws Exception {
        Map<String, Probe> cases = new LinkedHashMap<>();
        long[] timestamps = {ListOffsetsRequest.LATEST_TIMESTAMP, ListOffsetsRequest.EARLIEST_TIMESTAMP,
            ListOffsetsRequest.MAX_TIMESTAMP, ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP,
            ListOffsetsRequest.LATEST_TIERED_TIMESTAMP, ListOffsetsRequest.EARLIEST_PENDING_UPLOAD_TIMESTAMP,
            0, 1_000, 1_500, 2_000, 2_500, 3_000, 3_001};
        for (String topic : List.of("lo-empty", "lo-data", "lo-trimmed", "lo-emptied")) {
            for (long timestamp : timestamps) {
                if (topic.equals("lo-emptied") && timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
                    // A documented difference (docs/architecture.md): Kafka still answers the record with the largest
                    // timestamp from its active segment although DeleteRecords removed it; Lakestream answers none.
                    continue;
                }
                cases.put(topic + " at " + timestamp, (server, wire) -> send(wire,
                    Requests.listOffsets(topic, 0, timestamp, Requests.NO_EPOCH)));
            }
        }
        cases.put("unknown topic", (server, wire) -> send(wire,
            Requests.listOffsets("lo-unknown", 0, ListOffsetsRequest.LATEST_TIMESTAMP, Requests.NO_EPOCH)));
        cases.put("partition that does not exist", (server, wire) -> send(wire,
            Requests.listOffsets("lo-data", 3, ListOffsetsRequest.LATEST_TIMESTAMP, Requests.NO_EPOCH)));
        cases.put("current leader epoch", (server, wire) -> send(wire,
            Requests.listOffsets("lo-data", 0, ListOffsetsRequest.LATEST_TIMESTAMP, 0)));
        cases.put("future leader epoch", (server, wire) -> send(wire,
            Requests.listOffsets("lo-data", 0, ListOffsetsRequest.LATEST_TIMESTAMP, 5)));
        cases.put("one partition twice", (server, wire) -> {
            ListOffsetsRequest.Builder twice = Requests.listOffsets("lo-data", 0, ListOffsetsRequest.LATEST_TIMESTAMP,
                Requests.NO_EPOCH);
            ListOffsetsRequest request = twice.build();
            ListOffsetsTopic topic = request.data().topics().get(0);
            topic.setPartitions(List.of(topic.partitions().get(0), topic.partitions().get(0).duplicate()));
            return send(wire, request);
        });
        Map<String, JsonNode> kafka = servers.assertSameForEach(cases, (server, probe) -> {
            try (KafkaWire wire = server.connect()) {
                if (ensureTopic(server, "lo-empty", Map.of())) {
                    ensureData(server, "lo-data");
                    ensureData(server, "lo-trimmed");
                    ensureData(server, "lo-emptied");
                    assertNoError(send(wire, Requests.deleteRecords("lo-trimmed", 0, 1)));
                    assertNoError(send(wire, Requests.deleteRecords("lo-emptied", 0, -1)));
                }
                return probe.ask(server, wire);
            }
        });
        assertThat(kafka.get("lo-data at 2500").at("/topics/0/partitions/0/offset").asLong()).isEqualTo(1);
    }

    @Test
    void offsetForLeaderEpochOfKnownUnknownAndFutureEpochs() throws Exception {
        Map<String, Probe> cases = new LinkedHashMap<>();
        for (String topic : List.of("oe-empty", "oe-data")) {
            for (int[] epochs : new int[][] {{-1, 0}, {-1, 1}, {-1, 5}, {-1, -1}, {0, 0}, {0, 3}, {5, 0}}) {
                cases.put(topic + " current " + epochs[0] + " asked " + epochs[1], (server, wire) -> send(wire,
                    Requests.offsetForLeaderEpoch(topic, 0, epochs[0], epochs[1])));
            }
        }
        cases.put("unknown topic", (server, wire) -> send(wire,
            Requests.offsetForLeaderEpoch("oe-unknown", 0, -1, 0)));
        cases.put("partition that does not exist", (server, wire) -> send(wire,
            Requests.offsetForLeaderEpoch("oe-data", 4, -1, 0)));
        servers.assertSameForEach(cases, (server, probe) -> {
            ensureTopic(server, "oe-empty", Map.of());
            ensureData(server, "oe-data");
            try (KafkaWire wire = server.connect()) {
                return probe.ask(server, wire);
            }
        });
    }

    @Test
    void deleteRecordsAnswersBadOffsetsAsKafkaDoes() throws Exception {
        Map<String, Probe> cases = new LinkedHashMap<>();
        cases.put("past the high watermark", (server, wire) -> send(wire, Requests.deleteRecords("dr-data", 0, 4)));
        cases.put("negative offset", (server, wire) -> send(wire, Requests.deleteRecords("dr-data", 0, -5)));
        cases.put("to offset 1", (server, wire) -> send(wire, Requests.deleteRecords("dr-data", 0, 1)));
        cases.put("back to offset 0", (server, wire) -> send(wire, Requests.deleteRecords("dr-data", 0, 0)));
        cases.put("to the high watermark", (server, wire) -> send(wire, Requests.deleteRecords("dr-data", 0, -1)));
        cases.put("unknown topic", (server, wire) -> send(wire, Requests.deleteRecords("dr-unknown", 0, 0)));
        cases.put("partition that does not exist", (server, wire) -> send(wire,
            Requests.deleteRecords("dr-data", 2, 0)));
        servers.assertSameForEach(cases, (server, probe) -> {
            ensureData(server, "dr-data");
            try (KafkaWire wire = server.connect()) {
                return probe.ask(server, wire);
            }
        });
    }

    private static JsonNode send(KafkaWire wire, AbstractRequest.Builder<?> request) throws Exception {
        return Observed.json(wire.send(request));
    }

    private static JsonNode send(KafkaWire wire, AbstractRequest request) throws Exception {
        return Observed.json(wire.send(request));
    }

    private static void assertNoError(JsonNode response) {
        assertThat(response.findValuesAsText("errorCode")).as("%s", response).containsOnly("NONE");
    }

    /** The i-th batch of the data topics. */
    private static MemoryRecords batch(int i) {
        long[] timestamps = BATCH_TIMESTAMPS[i % BATCH_TIMESTAMPS.length];
        byte[][] values = new byte[timestamps.length][];
        for (int r = 0; r < values.length; r++) {
            values[r] = ("value-" + timestamps[r]).getBytes();
        }
        return Requests.records(timestamps, values);
    }

    /** {@code records} with one byte of the first record's value flipped, so the batch CRC no longer matches. */
    private static MemoryRecords corrupted(MemoryRecords records) {
        ByteBuffer bytes = ByteBuffer.allocate(records.sizeInBytes());
        bytes.put(records.buffer().duplicate()).flip();
        int last = bytes.limit() - 1;
        bytes.put(last, (byte) (bytes.get(last) ^ 0xff));
        return MemoryRecords.readableRecords(bytes);
    }

    /** Creates the topic (one partition) on this server if it is not there yet; true if it was created. */
    private static boolean ensureTopic(SideBySide.Server server, String topic, Map<String, String> configs)
        throws Exception {
        if (IDS.containsKey(server.name() + "/" + topic)) {
            return false;
        }
        IDS.put(server.name() + "/" + topic, Requests.createTopic(server.admin(), topic, 1, configs));
        return true;
    }

    /** A topic holding the two data batches (offsets 0-2), created and filled once per server. */
    private static void ensureData(SideBySide.Server server, String topic) throws Exception {
        if (ensureTopic(server, topic, Map.of())) {
            try (KafkaWire wire = server.connect()) {
                produceWhenOpen(wire, server, topic, 0);
            }
        }
    }

    /** The data batches to the partition. */
    private static void produceWhenOpen(KafkaWire wire, SideBySide.Server server, String topic, int partition) {
        for (int i = 0; i < BATCH_TIMESTAMPS.length; i++) {
            produceWhenOpen(wire, server, topic, partition, batch(i));
        }
    }

    /** One batch, retried while the new partition is not open yet, as a producer would. */
    private static void produceWhenOpen(KafkaWire wire, SideBySide.Server server, String topic, int partition,
                                        MemoryRecords batch) {
        JsonNode answer = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
            .until(() -> send(wire, Requests.produce(topic, id(server, topic), partition, batch)),
                response -> !RETRIABLE_ON_NEW_PARTITION.contains(
                    response.at("/responses/0/partitionResponses/0/errorCode").asText()));
        assertNoError(answer);
    }

    private static Uuid id(SideBySide.Server server, String topic) {
        Uuid id = IDS.get(server.name() + "/" + topic);
        if (id == null) {
            throw new IllegalStateException("topic " + topic + " was not created on " + server.name());
        }
        return id;
    }
}
