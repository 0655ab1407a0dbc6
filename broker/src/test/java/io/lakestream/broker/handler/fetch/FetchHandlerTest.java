package io.lakestream.broker.handler.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.metrics.TopicMetrics;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.broker.partition.PartitionLogFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.storage.internals.log.AppendOrigin;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FetchHandler}: which thread reads a fetch's partitions. */
class FetchHandlerTest {
    private static final int MAX_INLINE = 2;

    @RegisterExtension
    final PartitionLogFixture fixture = new PartitionLogFixture();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Queue<Runnable> requestThreads = new ArrayDeque<>();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** Every partition of topic {@code events} is the fixture's one log. */
    private FetchHandler handler(PartitionLog log) {
        return new FetchHandler(PartitionLogFixture.leading(tp -> log, log),
            FetchSessions.create(0, new SimpleMeterRegistry()), timer, new TopicMetrics(new SimpleMeterRegistry()),
            requestThreads::add, MAX_INLINE);
    }

    /** A full fetch (no session) of {@code count} partitions of {@code events}, at v12 (names, not ids). */
    private static KafkaRequest fetch(int count) {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        for (int partition = 0; partition < count; partition++) {
            data.put(new TopicPartition(PartitionLogFixture.TP.topic(), partition),
                new FetchRequest.PartitionData(Uuid.ZERO_UUID, 0, -1, 1 << 20, Optional.empty()));
        }
        FetchRequest body = FetchRequest.Builder.forConsumer((short) 12, 0, 1, data).build();
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, body.version(), "test", 1);
        RequestContext context = new RequestContext(header, "connection", InetAddress.getLoopbackAddress(),
            Optional.empty(), KafkaPrincipal.ANONYMOUS, ListenerName.normalised("PLAINTEXT"), SecurityProtocol.PLAINTEXT,
            ClientInformation.EMPTY, false);
        return new KafkaRequest(context, body, 100, System.nanoTime());
    }

    @Test
    void aFetchOfFewPartitionsIsReadAndAnsweredByTheCaller() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();

        CompletableFuture<AbstractResponse> response = handler(log).handle(fetch(MAX_INLINE));

        assertThat(response).isDone();
        assertThat(requestThreads).isEmpty();
        assertThat(((FetchResponse) response.get()).data().responses().get(0).partitions())
            .hasSize(MAX_INLINE)
            .allSatisfy(partition -> assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code()));
    }

    /**
     * A fetch of more partitions leaves its reads to the request threads: a small incremental
     * fetch request, handled on an event loop, may name a large session.
     */
    @Test
    void aFetchOfManyPartitionsIsReadOnTheLargeFetchExecutor() throws Exception {
        PartitionLog log = fixture.load(new LogConfig(Map.of()));
        log.appendAsLeader(PartitionLogFixture.records(1_000, "a"), AppendOrigin.CLIENT).join();

        CompletableFuture<AbstractResponse> response = handler(log).handle(fetch(MAX_INLINE + 1));

        assertThat(response).isNotDone();
        assertThat(requestThreads).hasSize(1);
        requestThreads.poll().run();
        FetchResponse answered = (FetchResponse) response.get(10, TimeUnit.SECONDS);
        assertThat(answered.data().responses().get(0).partitions())
            .hasSize(MAX_INLINE + 1)
            .allSatisfy(partition -> assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code()));
    }
}
