package io.lakestream.controller.raft;

import static org.awaitility.Awaitility.await;

import io.lakestream.controller.client.ControllerClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Controller voters in this JVM on loopback ports, each with its own storage directory, that
 * a test can stop and restart. Not thread-safe: driven by the test thread.
 */
public final class ControllerCluster implements AutoCloseable {
    private final ControllerQuorum quorum;
    private final Map<String, ControllerServerConfig> configs = new LinkedHashMap<>();
    private final Map<String, ControllerServer> running = new LinkedHashMap<>();
    private final List<ControllerClient> clients = new ArrayList<>();

    private ControllerCluster(ControllerQuorum quorum) {
        this.quorum = quorum;
    }

    /** Starts {@code voters} voters under {@code dir}; {@code configure} adjusts each voter's config. */
    public static ControllerCluster start(Path dir, int voters, UnaryOperator<ControllerServerConfig> configure) {
        List<ControllerQuorum.Voter> list = new ArrayList<>();
        for (int i = 0; i < voters; i++) {
            list.add(new ControllerQuorum.Voter("c" + i, "127.0.0.1:" + freePort()));
        }
        ControllerCluster cluster = new ControllerCluster(new ControllerQuorum(UUID.randomUUID(), list));
        for (ControllerQuorum.Voter voter : list) {
            cluster.configs.put(voter.id(), configure.apply(
                ControllerServerConfig.of(voter.id(), cluster.quorum, dir.resolve(voter.id()))));
        }
        cluster.configs.keySet().forEach(cluster::startVoter);
        return cluster;
    }

    public ControllerQuorum quorum() {
        return quorum;
    }

    public ControllerClient newClient() {
        ControllerClient client = new ControllerClient(quorum);
        clients.add(client);
        return client;
    }

    public void startVoter(String id) {
        running.put(id, ControllerServer.start(configs.get(id)));
    }

    public void stopVoter(String id) {
        running.remove(id).close();
    }

    public ControllerServer voter(String id) {
        return running.get(id);
    }

    /** The voter that is leader now, waiting for an election if there is none. */
    public ControllerServer awaitLeader() {
        return await().atMost(Duration.ofSeconds(30)).until(
            () -> running.values().stream().filter(ControllerServer::isLeader).findFirst().orElse(null),
            leader -> leader != null);
    }

    /** Waits until every running voter has applied at least {@code index}. */
    public void awaitApplied(long index) {
        awaitApplied(index, Duration.ofSeconds(30));
    }

    public void awaitApplied(long index, Duration timeout) {
        await().atMost(timeout).until(
            () -> running.values().stream().allMatch(v -> v.appliedIndex() >= index));
    }

    @Override
    public void close() {
        clients.forEach(ControllerClient::close);
        running.values().forEach(ControllerServer::close);
        running.clear();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
