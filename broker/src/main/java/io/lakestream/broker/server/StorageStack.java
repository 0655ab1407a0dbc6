package io.lakestream.broker.server;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.stream.StreamStore;
import io.lakestream.stream.StreamStoreConfig;
import io.lakestream.stream.WalMetrics;
import io.lakestream.stream.metadata.StreamMetadata;
import io.lakestream.stream.storage.LocalDirectoryObjectStorage;
import io.lakestream.stream.storage.ObjectStorage;
import io.lakestream.stream.storage.ObjectStorageConfig;
import io.lakestream.stream.storage.S3ObjectStorage;
import io.lakestream.stream.wal.ObjectWal;
import io.lakestream.stream.wal.ObjectWalConfig;
import io.lakestream.wal.WriteAheadLog;
import io.lakestream.wal.block.BlockWal;
import io.lakestream.wal.block.BlockWalConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import org.apache.kafka.common.config.types.Password;

/**
 * Builds a node's storage from its config: the object store (a local directory or S3), the
 * write-ahead log (a block file or objects) and the {@link StreamStore} over them. Stateless.
 */
final class StorageStack {
    private StorageStack() {}

    static ObjectStorage objectStorage(BrokerConfig config, MeterRegistry registry) throws IOException {
        if ("local".equals(config.getString(BrokerConfig.OBJECT_STORE_TYPE))) {
            Files.createDirectories(config.localObjectDir());
            return new LocalDirectoryObjectStorage(config.localObjectDir());
        }
        ObjectStorageConfig.Builder builder = ObjectStorageConfig.builder(config.getString(BrokerConfig.S3_BUCKET))
            .region(config.getString(BrokerConfig.S3_REGION))
            .pathStyleAccess(config.getBoolean(BrokerConfig.S3_PATH_STYLE_ACCESS));
        String endpoint = config.getString(BrokerConfig.S3_ENDPOINT);
        if (endpoint != null) {
            builder.endpoint(URI.create(endpoint));
        }
        String accessKey = config.getString(BrokerConfig.S3_ACCESS_KEY);
        Password secret = config.getPassword(BrokerConfig.S3_SECRET_KEY);
        if (accessKey != null && secret != null) {
            builder.credentials(accessKey, secret.value());
        } else {
            builder.defaultCredentials();
        }
        return new S3ObjectStorage(builder.build(), registry);
    }

    static WriteAheadLog writeAheadLog(BrokerConfig config, ObjectStorage storage, MeterRegistry registry)
        throws IOException {
        if ("object".equals(config.getString(BrokerConfig.WAL_TYPE))) {
            return new ObjectWal(storage, ObjectWalConfig.withPrefix("wal/node-" + config.nodeId() + "/"));
        }
        Files.createDirectories(config.walPath().getParent());
        return BlockWal.open(BlockWalConfig.builder(config.walPath(), config.getLong(BrokerConfig.WAL_CAPACITY_BYTES))
            .build(), new WalMetrics(registry));
    }

    static StreamStore streamStore(BrokerConfig config, WriteAheadLog wal, ObjectStorage storage,
                                   StreamMetadata metadata, MeterRegistry registry) {
        StreamStoreConfig streamConfig = StreamStoreConfig.builder(config.nodeId())
            .uploadInterval(Duration.ofMillis(config.getLong(BrokerConfig.UPLOAD_INTERVAL_MS)))
            .uploadThresholdBytes(config.getLong(BrokerConfig.UPLOAD_THRESHOLD_BYTES))
            .logCacheCapacityBytes(config.getLong(BrokerConfig.LOG_CACHE_BYTES))
            .blockCacheCapacityBytes(config.getLong(BrokerConfig.BLOCK_CACHE_BYTES))
            .build();
        return new StreamStore(streamConfig, wal, storage, metadata, registry);
    }
}
