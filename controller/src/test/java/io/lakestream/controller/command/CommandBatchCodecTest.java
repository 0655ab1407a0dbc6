package io.lakestream.controller.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.controller.codec.MalformedDataException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandBatchCodecTest {

    @Test
    void batchKeepsItsPartsInOrderAndIsToldApartFromALoneCommand() {
        byte[] lone = CommandCodec.encode(new ControllerCommand.CreateStream());
        byte[] other = CommandCodec.encode(new ControllerCommand.PrepareObjects(3, 1_000));
        byte[] batch = CommandBatchCodec.encode(List.of(lone, other, new byte[0]));

        assertThat(CommandBatchCodec.isBatch(batch)).isTrue();
        assertThat(CommandBatchCodec.isBatch(lone)).as("a lone command").isFalse();
        List<byte[]> parts = CommandBatchCodec.decode(batch);
        assertThat(parts).hasSize(3);
        assertThat(parts.get(0)).isEqualTo(lone);
        assertThat(parts.get(1)).isEqualTo(other);
        assertThat(parts.get(2)).isEmpty();
    }

    @Test
    void truncatedOrPaddedBatchIsMalformed() {
        byte[] batch = CommandBatchCodec.encode(List.of(new byte[] {1, 2, 3}, new byte[] {4}));

        assertThatThrownBy(() -> CommandBatchCodec.decode(Arrays.copyOf(batch, batch.length - 1)))
            .isInstanceOf(MalformedDataException.class);
        assertThatThrownBy(() -> CommandBatchCodec.decode(Arrays.copyOf(batch, batch.length + 1)))
            .isInstanceOf(MalformedDataException.class);
    }
}
