package io.lakestream.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lakestream.broker.LakestreamServerExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Kafka Connect worker in distributed mode against Lakestream: FileStreamSource copies
 * a file into a topic and FileStreamSink copies the topic into another file. Connect keeps its
 * connector configs, source offsets and statuses in compacted topics it creates itself and
 * runs its workers and tasks through a consumer group, so this needs the admin, group and
 * compaction paths together. After the worker restarts, both connectors resume where they
 * committed: the output is the input line for line, nothing missing or repeated.
 */
class ConnectFileStreamTest {
    private static final String GROUP = "connect-lakestream";
    private static final String TOPIC = "connect-lines";

    @RegisterExtension
    static final LakestreamServerExtension SERVER = new LakestreamServerExtension(
        "group.initial.rebalance.delay.ms=0");

    @TempDir
    Path dir;

    @Test
    void fileSourceToTopicToFileSinkResumesAfterAWorkerRestart() throws Exception {
        SERVER.admin().createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        Path input = dir.resolve("input.txt");
        Path output = dir.resolve("output.txt");
        List<String> lines = new ArrayList<>(lines(0, 500));
        Files.write(input, lines);

        try (ConnectWorker worker = ConnectWorker.start(SERVER.bootstrap(), GROUP, Files.createDirectory(dir.resolve("w1")))) {
            awaitUp(worker);
            create(worker, "file-source", Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector",
                "tasks.max", "1", "file", input.toString(), "topic", TOPIC));
            create(worker, "file-sink", Map.of(
                "connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max", "1", "file", output.toString(), "topics", TOPIC));

            awaitOutput(worker, output, lines);
            assertThat(worker.status("file-source")).contains("RUNNING");
            assertThat(worker.stop()).as("the worker stopped on SIGTERM").isTrue();
        }
        assertCompacted(GROUP + "-configs", GROUP + "-offsets", GROUP + "-status");

        // Written while no worker runs: the source must pick up at its committed file position,
        // the sink at its group's committed offset.
        List<String> more = lines(500, 1_000);
        Files.write(input, more, StandardOpenOption.APPEND);
        lines.addAll(more);
        try (ConnectWorker worker = ConnectWorker.start(SERVER.bootstrap(), GROUP, Files.createDirectory(dir.resolve("w2")))) {
            awaitUp(worker);
            awaitOutput(worker, output, lines);
        }
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line " + i + " of the input file").collect(Collectors.toList());
    }

    private static void create(ConnectWorker worker, String name, Map<String, String> config) throws Exception {
        HttpResponse<String> response = worker.putConnector(name, config);
        assertThat(response.statusCode()).as(() -> "creating " + name + ": " + response.body() + worker.log())
            .isEqualTo(201);
    }

    private static void awaitUp(ConnectWorker worker) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(worker.get("/connectors")).as(() -> "the worker's REST API" + worker.log() + SERVER.log())
                .isNotNull());
    }

    private static void awaitOutput(ConnectWorker worker, Path output, List<String> expected) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(worker.isAlive()).as(() -> "the worker is running" + worker.log()).isTrue();
            List<String> written = Files.exists(output) ? Files.readAllLines(output) : List.of();
            assertThat(written).as(() -> "the sink's file; source " + worker.status("file-source") + ", sink "
                + worker.status("file-sink") + worker.log()).isEqualTo(expected);
        });
    }

    /** Connect creates its internal topics compacted; a broker that dropped the policy would lose connector configs. */
    private static void assertCompacted(String... topics) throws Exception {
        List<ConfigResource> resources = new ArrayList<>();
        for (String topic : topics) {
            resources.add(new ConfigResource(ConfigResource.Type.TOPIC, topic));
        }
        SERVER.admin().describeConfigs(resources).all().get().forEach((resource, config) ->
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).as(resource.name())
                .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT));
    }
}
