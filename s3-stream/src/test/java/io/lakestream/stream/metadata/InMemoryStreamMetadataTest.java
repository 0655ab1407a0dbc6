package io.lakestream.stream.metadata;

import java.util.function.LongSupplier;

class InMemoryStreamMetadataTest extends StreamMetadataContractTest {
    @Override
    protected StreamMetadata createMetadata(LongSupplier clock, long destroyGraceMillis) {
        return new InMemoryStreamMetadata(clock, destroyGraceMillis);
    }
}
