package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad bytes on the wire against the real server: random bytes, truncated frames, valid headers
 * with garbage bodies, oversized and negative lengths, unknown API keys and versions. None of
 * them may crash the broker or disturb a well-behaved client, whose records, produced between
 * the rounds, must all be readable at the end. The cases come from a fixed seed, printed, so a
 * failure can be replayed.
 */
class MalformedInputTest {
    private static final long SEED = 20261125L;
    private static final String TOPIC = "bystander";
    private static final int MAX_REQUEST_BYTES = 1 << 20;

    @TempDir
    static Path dir;
    private static LakestreamProcess server;
    private static KafkaProducer<String, String> bystander;
    private static int acknowledged;

    @BeforeAll
    static void start() throws Exception {
        server = LakestreamProcess.start(dir.resolve("data"), 0, 0, "socket.request.max.bytes=" + MAX_REQUEST_BYTES);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        bystander = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        if (bystander != null) {
            bystander.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void randomBytesTruncatedFramesAndGarbageBodiesLeaveTheBrokerServingOthers() throws Exception {
        Random random = new Random(SEED);
        System.out.println("MalformedInputTest seed " + SEED);
        short[] apiKeys = supportedApiKeys();
        int closedByBroker = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 10; i++) {
                byte[] attack = switch (random.nextInt(4)) {
                    case 0 -> randomBytes(random, 1 + random.nextInt(2_000));
                    case 1 -> truncated(random, apiVersionsFrame(3, round * 100 + i));
                    case 2 -> garbageBody(random, apiKeys[random.nextInt(apiKeys.length)]);
                    default -> withLength(random.nextBoolean() ? -1 - random.nextInt(1_000) : MAX_REQUEST_BYTES + 1,
                        randomBytes(random, 64));
                };
                if (sendAndAwaitClose(attack)) {
                    closedByBroker++;
                }
            }
            produceBystanderRecords(round);
            assertThat(server.isAlive()).as("server alive after round %d", round).isTrue();
        }

        assertThat(closedByBroker).as("attacks after which the broker closed the connection").isEqualTo(200);
        assertThat(readBystanderValues()).as("every acknowledged record of the well-behaved client")
            .hasSize(acknowledged).doesNotHaveDuplicates();
    }

    @Test
    void unsupportedApiVersionsVersionIsAnsweredWithTheSupportedVersions() throws Exception {
        short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 10);
        try (Socket socket = connect()) {
            send(socket, apiVersionsFrame(tooNew, 7));

            ApiVersionsResponse response = (ApiVersionsResponse) readResponse(socket, ApiKeys.API_VERSIONS, (short) 0, 7);
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
            assertThat(response.data().apiKeys().find(ApiKeys.PRODUCE.id)).as("Produce among the supported APIs")
                .isNotNull();
        }
    }

    @Test
    void frameAboveTheRequestSizeLimitClosesOnlyItsConnection() throws Exception {
        try (Socket other = connect(); Socket oversized = connect()) {
            send(oversized, withLength(MAX_REQUEST_BYTES + 1, new byte[16]));

            assertThat(awaitClose(oversized)).as("oversized frame's connection closed").isTrue();
            send(other, apiVersionsFrame(3, 11));
            ApiVersionsResponse response = (ApiVersionsResponse) readResponse(other, ApiKeys.API_VERSIONS, (short) 3, 11);
            assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
        }
    }

    private static short[] supportedApiKeys() throws IOException {
        try (Socket socket = connect()) {
            send(socket, apiVersionsFrame(3, 1));
            ApiVersionsResponse response = (ApiVersionsResponse) readResponse(socket, ApiKeys.API_VERSIONS, (short) 3, 1);
            short[] keys = new short[response.data().apiKeys().size()];
            int i = 0;
            for (var key : response.data().apiKeys()) {
                keys[i++] = key.apiKey();
            }
            return keys;
        }
    }

    private void produceBystanderRecords(int round) throws Exception {
        for (int i = 0; i < 5; i++) {
            bystander.send(new ProducerRecord<>(TOPIC, "round-" + round + "-" + i)).get(30, TimeUnit.SECONDS);
            acknowledged++;
        }
    }

    private static List<String> readBystanderValues() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
            new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
            }
        }
        return values;
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    /**
     * Sends {@code bytes}, then ends the client's side of the stream, as a client that died
     * mid-request would; reports whether the broker then closed the connection.
     */
    private static boolean sendAndAwaitClose(byte[] bytes) throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(1_000);
            try {
                send(socket, bytes);
                socket.shutdownOutput();
            } catch (IOException closedWhileSending) {
                return true;
            }
            return awaitClose(socket);
        }
    }

    /** Reads until the broker closes the connection (true) or a second passes without it (false). */
    private static boolean awaitClose(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4_096];
        try {
            while (in.read(sink) >= 0) {
                // A response or an error frame; the close is what counts.
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static AbstractResponse readResponse(Socket socket, ApiKeys api, short version, int correlationId)
        throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        ByteBuffer buffer = ByteBuffer.wrap(body);
        ResponseHeader header = ResponseHeader.parse(buffer, api.responseHeaderVersion(version));
        assertThat(header.correlationId()).isEqualTo(correlationId);
        return AbstractResponse.parseResponse(api, new ByteBufferAccessor(buffer), version);
    }

    /**
     * An ApiVersions request whose header says {@code version}; the body is written at the newest
     * version this client library knows, as a newer client would send a body the broker can't read.
     */
    private static byte[] apiVersionsFrame(int version, int correlationId) {
        short bodyVersion = (short) Math.min(version, ApiKeys.API_VERSIONS.latestVersion());
        RequestHeader header = new RequestHeader(ApiKeys.API_VERSIONS, (short) version, "fuzz", correlationId);
        ApiVersionsRequestData body = new ApiVersionsRequestData().setClientSoftwareName("fuzz")
            .setClientSoftwareVersion("1");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = ApiKeys.API_VERSIONS.requestHeaderVersion(bodyVersion);
        ByteBuffer frame = ByteBuffer.allocate(4 + header.data().size(cache, headerVersion)
            + body.size(cache, bodyVersion));
        frame.putInt(frame.capacity() - 4);
        header.data().write(new ByteBufferAccessor(frame), cache, headerVersion);
        body.write(new ByteBufferAccessor(frame), cache, bodyVersion);
        return frame.array();
    }

    /** A valid request header for {@code apiKey} at its oldest version, then random bytes. */
    private static byte[] garbageBody(Random random, short apiKey) {
        ApiKeys api = ApiKeys.forId(apiKey);
        RequestHeader header = new RequestHeader(api, api.oldestVersion(), "fuzz", random.nextInt());
        ObjectSerializationCache cache = new ObjectSerializationCache();
        short headerVersion = api.requestHeaderVersion(api.oldestVersion());
        byte[] garbage = randomBytes(random, random.nextInt(512));
        ByteBuffer frame = ByteBuffer.allocate(4 + header.data().size(cache, headerVersion) + garbage.length);
        frame.putInt(frame.capacity() - 4);
        header.data().write(new ByteBufferAccessor(frame), cache, headerVersion);
        frame.put(garbage);
        return frame.array();
    }

    /** The frame cut short at a random point: the broker waits for the rest, then sees the close. */
    private static byte[] truncated(Random random, byte[] frame) {
        byte[] cut = new byte[1 + random.nextInt(frame.length - 1)];
        System.arraycopy(frame, 0, cut, 0, cut.length);
        return cut;
    }

    private static byte[] withLength(int length, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(length).put(body).array();
    }

    private static byte[] randomBytes(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }
}
