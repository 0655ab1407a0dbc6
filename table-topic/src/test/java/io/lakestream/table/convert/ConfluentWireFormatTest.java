package io.lakestream.table.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfluentWireFormatTest {

    private static ByteBuffer bytes(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length);
        for (int value : values) {
            buffer.put((byte) value);
        }
        return buffer.flip();
    }

    @Test
    void avroFrameIsMagicBigEndianIdAndPayload() throws Exception {
        ConfluentWireFormat.Frame frame = ConfluentWireFormat.avro(bytes(0, 0, 0, 1, 2, 7, 8));
        assertThat(frame.schemaId()).isEqualTo(258);
        assertThat(frame.messageIndexes()).isEmpty();
        assertThat(frame.payload().remaining()).isEqualTo(2);
        assertThat(frame.payload().get(0)).isEqualTo((byte) 7);
    }

    @Test
    void protobufFirstMessageIsASingleZeroAndOtherPathsAreZigzagVarints() throws Exception {
        ConfluentWireFormat.Frame first = ConfluentWireFormat.protobuf(bytes(0, 0, 0, 0, 5, 0, 0x08, 0x01));
        assertThat(first.schemaId()).isEqualTo(5);
        assertThat(first.messageIndexes()).containsExactly(0);
        assertThat(first.payload().remaining()).isEqualTo(2);

        // count 2 (zigzag 4), then 1 (zigzag 2) and 0.
        ConfluentWireFormat.Frame nested = ConfluentWireFormat.protobuf(bytes(0, 0, 0, 0, 5, 4, 2, 0, 0x08));
        assertThat(nested.messageIndexes()).containsExactly(1, 0);
        assertThat(nested.payload().remaining()).isEqualTo(1);
    }

    @Test
    void badBytesAreIncompatibleRecordsThatSayWhy() {
        for (var bad : List.of(
            new Object[] {bytes(1, 0, 0, 0, 1, 0), "magic byte 0 but with 1"},
            new Object[] {bytes(0, 0, 0), "fewer than the 5"},
            new Object[] {bytes(), "0 bytes"})) {
            assertThatThrownBy(() -> ConfluentWireFormat.avro((ByteBuffer) bad[0]))
                .isInstanceOf(IncompatibleRecordException.class).hasMessageContaining((String) bad[1]);
        }
        assertThatThrownBy(() -> ConfluentWireFormat.protobuf(bytes(0, 0, 0, 0, 1, 4, 2)))
            .isInstanceOf(IncompatibleRecordException.class).hasMessageContaining("ends inside");
        assertThatThrownBy(() -> ConfluentWireFormat.protobuf(bytes(0, 0, 0, 0, 1, 3)))
            .as("a negative count").isInstanceOf(IncompatibleRecordException.class).hasMessageContaining("count -2");
    }
}
