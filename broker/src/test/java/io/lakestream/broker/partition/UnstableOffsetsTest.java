package io.lakestream.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.storage.internals.log.CompletedTxn;
import org.junit.jupiter.api.Test;

class UnstableOffsetsTest {

    @Test
    void withNothingOpenTheStableOffsetIsTheHighWatermark() {
        assertThat(UnstableOffsets.NONE.lastStableOffset(42)).isEqualTo(42);
        assertThat(UnstableOffsets.NONE.afterAppend(OptionalLong.empty(), List.of(), 10))
            .isSameAs(UnstableOffsets.NONE);
    }

    @Test
    void anOpenTransactionHoldsTheStableOffsetOnceTheHighWatermarkPassesItsFirstRecord() {
        UnstableOffsets open = UnstableOffsets.open(OptionalLong.of(5));

        assertThat(UnstableOffsets.open(OptionalLong.empty())).isSameAs(UnstableOffsets.NONE);
        assertThat(open.lastStableOffset(3)).isEqualTo(3);
        assertThat(open.lastStableOffset(9)).isEqualTo(5);
    }

    @Test
    void anEndedTransactionHoldsTheStableOffsetUntilItsMarkerIsBelowTheHighWatermark() {
        UnstableOffsets ending = UnstableOffsets.NONE.afterAppend(OptionalLong.empty(),
            List.of(new CompletedTxn(7, 5, 9, false)), 8);

        assertThat(ending.lastStableOffset(9)).as("the marker at 9 is not durable yet").isEqualTo(5);
        assertThat(ending.lastStableOffset(10)).isEqualTo(10);
        assertThat(ending.afterAppend(OptionalLong.empty(), List.of(), 10))
            .as("forgotten once its marker is below the high watermark").isSameAs(UnstableOffsets.NONE);
    }

    @Test
    void anAppendHoldsTheStableOffsetAtItsFirstTransactionalBatchUntilItPublishesTheExactState() {
        UnstableOffsets open = UnstableOffsets.NONE.afterAppend(OptionalLong.of(5), List.of(), 5);

        assertThat(UnstableOffsets.NONE.holdingAt(12).lastStableOffset(20)).isEqualTo(12);
        assertThat(open.holdingAt(12).lastStableOffset(20)).as("an older open transaction still holds it")
            .isEqualTo(5);
    }
}
