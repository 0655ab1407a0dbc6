package io.lakestream.broker.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Record batches that lie in separate buffers, sent one after another as if they were one
 * record set: Kafka's {@code SendBuilder} hands them to the channel as a gathering write of
 * the buffers themselves, so building a Fetch response copies none of them. Immutable; the
 * buffers must not change while a response holds them.
 */
final class BatchSequenceRecords implements BaseRecords {
    private final List<ByteBuffer> batches;
    private final int sizeInBytes;

    BatchSequenceRecords(List<ByteBuffer> batches, int sizeInBytes) {
        this.batches = batches;
        this.sizeInBytes = sizeInBytes;
    }

    @Override
    public int sizeInBytes() {
        return sizeInBytes;
    }

    @Override
    public RecordsSend<BatchSequenceRecords> toSend() {
        return new Send(this);
    }

    @Override
    public String toString() {
        return "BatchSequenceRecords(" + batches.size() + " batches, " + sizeInBytes + " bytes)";
    }

    /** Writes the batches from wherever the previous call stopped; a channel may take fewer bytes than offered. */
    private static final class Send extends RecordsSend<BatchSequenceRecords> {
        Send(BatchSequenceRecords records) {
            super(records, records.sizeInBytes);
        }

        @Override
        protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
            List<ByteBuffer> batches = records().batches;
            ByteBuffer[] pending = new ByteBuffer[batches.size()];
            int count = 0;
            int skip = previouslyWritten;
            for (ByteBuffer batch : batches) {
                int size = batch.remaining();
                if (skip >= size) {
                    skip -= size;
                    continue;
                }
                ByteBuffer view = batch.duplicate();
                view.position(view.position() + skip);
                skip = 0;
                pending[count++] = view;
            }
            return (int) channel.write(pending, 0, count);
        }
    }
}
