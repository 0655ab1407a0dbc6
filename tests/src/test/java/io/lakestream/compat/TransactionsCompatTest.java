package io.lakestream.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.KafkaWire;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transaction coordinator's answers to the classic protocol (the versions a client uses
 * without transaction version 2), good and bad, compared with Apache Kafka's: the same raw
 * requests get the same error codes and states.
 */
class TransactionsCompatTest {
    private static final String ID = "cx-txn";

    @RegisterExtension
    static final SideBySide servers = new SideBySide("transaction.state.log.num.partitions=3");

    @Test
    void theCoordinatorAnswersTheClassicProtocolAsKafkaDoes() throws Exception {
        Map<String, String> kafka = servers.assertSame("transaction requests", server -> {
            Requests.createTopic(server.admin(), "cx-topic", 1, Map.of());
            Map<String, String> seen = new LinkedHashMap<>();
            try (KafkaWire wire = server.connect()) {
                FindCoordinatorResponse found = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> wire.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id())
                        .setCoordinatorKeys(List.of(ID)))),
                        r -> r.data().coordinators().get(0).errorCode() == Errors.NONE.code());
                seen.put("find coordinator", Errors.forCode(found.data().coordinators().get(0).errorCode()).name());
                InitProducerIdResponse init = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> wire.send(initProducerId(ID, 60_000)),
                        r -> !(r.error().exception() instanceof RetriableException));
                seen.put("init", init.error().name());
                long producerId = init.data().producerId();
                short epoch = init.data().producerEpoch();
                seen.put("init epoch", String.valueOf(epoch));
                seen.put("init with a timeout over the maximum",
                    ((InitProducerIdResponse) wire.send(initProducerId("cx-other", Integer.MAX_VALUE))).error().name());
                seen.put("end of an empty transaction", endTxn(wire, ID, producerId, epoch, true));
                seen.put("end of an unknown transactional id", endTxn(wire, "cx-unknown", producerId, epoch, true));
                seen.put("add partitions with a later epoch", addPartitions(wire, producerId, (short) (epoch + 1)));
                seen.put("add partitions with another producer id", addPartitions(wire, producerId + 1, epoch));
                seen.put("transactional produce without a transactional id",
                    produce(wire, null, producerId, epoch, 0));
                seen.put("add partitions", addPartitions(wire, producerId, epoch));
                seen.put("add partitions again", addPartitions(wire, producerId, epoch));
                seen.put("transactional produce", produce(wire, ID, producerId, epoch, 0));
                DescribeTransactionsResponse described = wire.send(new DescribeTransactionsRequest.Builder(
                    new DescribeTransactionsRequestData().setTransactionalIds(List.of(ID, "cx-unknown"))));
                described.data().transactionStates().forEach(state -> seen.put("describe " + state.transactionalId(),
                    Errors.forCode(state.errorCode()).name() + " " + state.transactionState() + " "
                        + state.topics().size() + " topic(s), timeout " + state.transactionTimeoutMs()));
                ListTransactionsResponse listed = wire.send(new ListTransactionsRequest.Builder(
                    new ListTransactionsRequestData().setStateFilters(List.of("Ongoing", "Bogus"))));
                seen.put("list ongoing", Errors.forCode(listed.data().errorCode()).name() + " "
                    + listed.data().transactionStates().stream().map(state -> state.transactionalId() + ":"
                        + state.transactionState()).toList() + " unknown " + listed.data().unknownStateFilters());
                seen.put("commit with an older epoch", endTxn(wire, ID, producerId, (short) (epoch - 1), true));
                seen.put("abort", endTxn(wire, ID, producerId, epoch, false));
                // Once the markers are written (how soon is the server's own business):
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    ((DescribeTransactionsResponse) wire.send(new DescribeTransactionsRequest.Builder(
                        new DescribeTransactionsRequestData().setTransactionalIds(List.of(ID))))).data()
                        .transactionStates().get(0).transactionState().equals("CompleteAbort"));
                seen.put("commit after the abort completed", endTxn(wire, ID, producerId, epoch, true));
                seen.put("abort again", endTxn(wire, ID, producerId, epoch, false));
            }
            return seen;
        });
        assertThat(kafka).containsEntry("abort", "NONE");
    }

    private static InitProducerIdRequest.Builder initProducerId(String transactionalId, int timeoutMs) {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(transactionalId)
            .setTransactionTimeoutMs(timeoutMs).setProducerId(-1).setProducerEpoch((short) -1));
    }

    /** EndTxn v4: the newest version of the classic protocol. */
    private static String endTxn(KafkaWire wire, String transactionalId, long producerId, short epoch, boolean commit)
        throws Exception {
        EndTxnResponse response = wire.send(new EndTxnRequest.Builder(new EndTxnRequestData()
            .setTransactionalId(transactionalId).setProducerId(producerId).setProducerEpoch(epoch).setCommitted(commit),
            false).build((short) 4));
        return response.error().name();
    }

    /** AddPartitionsToTxn v3, as a client sends it. */
    private static String addPartitions(KafkaWire wire, long producerId, short epoch) throws Exception {
        AddPartitionsToTxnResponse response = wire.send(AddPartitionsToTxnRequest.Builder.forClient(ID, producerId,
            epoch, List.of(new TopicPartition("cx-topic", 0))).build((short) 3));
        return response.errors().values().stream().flatMap(errors -> errors.values().stream()).map(Errors::name)
            .distinct().toList().toString();
    }

    /** Produce v11 (the newest a client uses without transaction version 2) of one transactional record. */
    private static String produce(KafkaWire wire, String transactionalId, long producerId, short epoch, int sequence)
        throws Exception {
        MemoryRecords records = MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, sequence,
            new SimpleRecord(1_000, null, "txn".getBytes()));
        ProduceRequest request = Requests.produce("cx-topic", Uuid.ZERO_UUID, 0, records).build((short) 11);
        request.data().setTransactionalId(transactionalId);
        ProduceResponse response = wire.send(request);
        return response.data().responses().stream().flatMap(topic -> topic.partitionResponses().stream())
            .map(partition -> Errors.forCode(partition.errorCode()).name()).toList().toString();
    }
}
