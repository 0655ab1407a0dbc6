package io.lakestream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.stream.compaction.StreamRewriter;
import io.lakestream.stream.metadata.InMemoryStreamMetadata;
import io.lakestream.stream.metadata.ObjectRange;
import io.lakestream.stream.metadata.ObjectType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The storage step of log compaction: batches rewritten in place of their stream objects, offsets kept. */
class StreamRewriteTest {
    private static final int NODE = 3;

    private final InMemoryStreamMetadata metadata = new InMemoryStreamMetadata();
    private final MemoryObjectStorage storage = new MemoryObjectStorage();
    private StreamStore store;

    @BeforeEach
    void start() {
        StreamStoreConfig config = StreamStoreConfig.builder(NODE).uploadInterval(Duration.ofHours(1)).build();
        store = new StreamStore(config, new MemoryWal(), storage, metadata, new SimpleMeterRegistry());
        store.start().join();
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
    }

    @Test
    void aStreamKeptInStreamObjectsGetsOneForEvenATinyUpload() {
        Stream kept = open();
        Stream other = open();
        store.keepInStreamObjects(kept.streamId(), true);
        kept.append(0, 1, utf8("k")).join();
        other.append(0, 1, utf8("o")).join();

        store.uploadNow().join();

        assertThat(types(kept)).containsExactly(ObjectType.STREAM);
        assertThat(types(other)).containsExactly(ObjectType.STREAM_SET);
    }

    @Test
    void rewriteReplacesPayloadsKeepsOffsetsAndMergesTheObjects() {
        Stream stream = open();
        store.keepInStreamObjects(stream.streamId(), true);
        for (int upload = 0; upload < 3; upload++) {
            stream.append(upload * 5L, 2, utf8("a" + upload)).join();
            stream.append(upload * 5L + 2, 3, utf8("b" + upload)).join();
            store.uploadNow().join();
        }
        assertThat(types(stream)).containsExactly(ObjectType.STREAM, ObjectType.STREAM, ObjectType.STREAM);

        assertThat(store.rewritableEnd(stream.streamId()).join()).isEqualTo(15);
        StreamRewriter.Result result = store.rewrite(stream.streamId(), 15,
            batch -> utf8(text(batch.payload()).toUpperCase(Locale.ROOT)), Runnable::run).join();

        assertThat(result.endOffset()).isEqualTo(15);
        assertThat(result.sourceObjects()).isEqualTo(3);
        assertThat(types(stream)).as("merged on the way").containsExactly(ObjectType.STREAM);
        assertThat(stream.fetch(0, 15, 1 << 20).join()).as("the log cache no longer serves the old payloads")
            .extracting(b -> b.baseOffset() + ":" + b.count() + ":" + text(b.payload()))
            .containsExactly("0:2:A0", "2:3:B0", "5:2:A1", "7:3:B1", "10:2:A2", "12:3:B2");
    }

    @Test
    void rewriteStopsBeforeAnObjectThatEndsPastTheGivenOffset() {
        Stream stream = open();
        store.keepInStreamObjects(stream.streamId(), true);
        stream.append(0, 4, utf8("first")).join();
        store.uploadNow().join();
        stream.append(4, 4, utf8("second")).join();
        store.uploadNow().join();

        StreamRewriter.Result result = store.rewrite(stream.streamId(), 6, batch -> utf8("x"), Runnable::run).join();

        assertThat(result.endOffset()).isEqualTo(4);
        assertThat(stream.fetch(0, 8, 1 << 20).join()).extracting(b -> text(b.payload()))
            .containsExactly("x", "second");
    }

    @Test
    void dataInAStreamSetObjectIsOutOfReachAndLeftAlone() {
        Stream stream = open();
        stream.append(0, 1, utf8("shared")).join();
        store.uploadNow().join();
        store.keepInStreamObjects(stream.streamId(), true);
        stream.append(1, 1, utf8("own")).join();
        store.uploadNow().join();

        assertThat(store.rewritableEnd(stream.streamId()).join()).as("the start is in a stream-set object").isZero();
        StreamRewriter.Result result = store.rewrite(stream.streamId(), 2, batch -> utf8("x"), Runnable::run).join();

        assertThat(result.sourceObjects()).isZero();
        store.clearLogCache();
        assertThat(stream.fetch(0, 2, 1 << 20).join()).extracting(b -> text(b.payload()))
            .containsExactly("shared", "own");
    }

    private Stream open() {
        return store.openStream(store.createStream().join()).join();
    }

    private List<ObjectType> types(Stream stream) {
        return metadata.getObjects(stream.streamId(), 0, -1, 100).join().stream().map(ObjectRange::type).toList();
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        return StandardCharsets.UTF_8.decode(buffer).toString();
    }
}
